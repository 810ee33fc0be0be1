// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --syslog: the target's text, each message byte for byte, and the sender over real sockets. */
#include "output/envelope.h"
#include "output/syslog_out.h"
#include "record_builder.h"
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* 2026-11-27T15:45:08.123456789Z */
#define EXAMPLE_WALL_NS 1795794308123456789ULL
#define HOST "host.example"
#define BOOT_ID "6f1b2c3d-0a1b-4c2d-8e3f-445566778899"
/* python3: hashlib.sha256(b"BOOT_ID:4242:0").hexdigest()[:32], and 4300 */
#define CALLER_ENTITY_ID "e7c360db8077e69d8853efc52ae54793"
#define TARGET_ENTITY_ID "13845c8cdc3cb49c5385bcdc4c2bbe2f"
#define EXAMPLE_REASON "wrote 64 bytes into pid 4300 (victim) owned by uid 0"
#define RECEIVE_TIMEOUT_S 5
/* MSGID and the structured data of the example call, its executables known */
#define EXAMPLE_SD                                                                                \
	"PVM-W001 [pvmtrace@32473 rule=\"PVM-W001\" severity=\"high\" mitre=\"T1055\" "           \
	"syscall=\"process_vm_writev\" bytes=\"64\" caller_pid=\"4242\" "                       \
	"caller_comm=\"injector\" caller_exe=\"/opt/tool/injector\" "                            \
	"caller_entity_id=\"" CALLER_ENTITY_ID "\" target_source=\"kernel\" "                    \
	"target_pid=\"4300\" target_comm=\"victim\" target_exe=\"/usr/bin/victim\" "             \
	"target_entity_id=\"" TARGET_ENTITY_ID "\"]"

static struct record_buffer buf;
static const struct pvm_syslog_origin origin = {HOST, BOOT_ID, 812};

/* The example call of record_builder.h, its executables known. */
static struct pvm_event example_event(void)
{
	struct pvm_decode_config config = {EXAMPLE_WALL_NS - buf.rec.start_boot_ns, 64};
	struct pvm_event ev;
	const char *why;

	set_exes(&buf, "/opt/tool/injector", PVM_EXE_KNOWN, "/usr/bin/victim", PVM_EXE_KNOWN);
	if (pvm_event_decode(&buf, record_size(&buf), &config, &ev, &why))
		unit_fail(__FILE__, __LINE__, "decode: %s", why);
	return ev;
}

static struct pvm_alert alert_of(enum pvm_rule_index rule, enum pvm_severity severity,
				 const char *allowed_by)
{
	struct pvm_alert a = {&pvm_rules[rule], severity, allowed_by, EXAMPLE_REASON};

	return a;
}

static char message[PVM_SYSLOG_MESSAGE_MAX];

static bool starts_with(const char *s, const char *start)
{
	return !strncmp(s, start, strlen(start));
}

static const char *format(const struct pvm_event *ev, const struct pvm_alert *a)
{
	pvm_syslog_format(message, ev, a, &origin, PVM_SYSLOG_RFC5424);
	return message;
}

static struct pvm_syslog_target target_of(const char *text)
{
	struct pvm_syslog_target t;
	char err[256];

	if (pvm_syslog_parse_target(text, &t, err, sizeof(err)))
		unit_fail(__FILE__, __LINE__, "%s: %s", text, err);
	return t;
}

UNIT_TEST(syslog_target_accepted)
{
	static const struct {
		const char *text;
		enum pvm_syslog_transport transport;
		const char *path, *host, *port;
	} cases[] = {
		{"unix:/dev/log", PVM_SYSLOG_UNIX, "/dev/log", "", ""},
		{"udp:127.0.0.1:514", PVM_SYSLOG_UDP, "", "127.0.0.1", "514"},
		{"tcp:collector.example:6514", PVM_SYSLOG_TCP, "", "collector.example", "6514"},
		{"tcp:[::1]:1", PVM_SYSLOG_TCP, "", "::1", "1"},
		{"udp:[fe80::1%eth0]:65535", PVM_SYSLOG_UDP, "", "fe80::1%eth0", "65535"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_syslog_target t = target_of(cases[i].text);

		CHECK_EQ(t.transport, cases[i].transport);
		CHECK_STR(t.path, cases[i].path);
		CHECK_STR(t.host, cases[i].host);
		CHECK_STR(t.port, cases[i].port);
	}
}

UNIT_TEST(syslog_target_refused)
{
	static const char ipv6[] = "an IPv6 address is written [ADDRESS]:PORT";
	static const char port[] = "the port is a number from 1 to 65535";
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"unix:dev/log", "the socket's path must be absolute"},
		{"unix:", "the socket's path must be absolute"},
		{"tcp:collector", "no port: HOST:PORT"},
		{"tcp:collector:", port},
		{"tcp:collector:0", port},
		{"udp:collector:65536", port},
		{"tcp:collector:514x", port},
		{"tcp:collector:+514", port},
		{"tcp:collector:000514", port},
		{"tcp::514", "the host is empty or too long"},
		{"tcp:[]:514", "the host is empty or too long"},
		{"tcp:::1:514", ipv6},
		{"tcp:[::1]514", ipv6},
		{"udp:[::1]", ipv6},
		{"http:collector:80", "want unix:PATH, udp:HOST:PORT or tcp:HOST:PORT"},
		{"TCP:collector:514", "want unix:PATH, udp:HOST:PORT or tcp:HOST:PORT"},
	};
	struct pvm_syslog_target t;
	char err[256], long_path[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(pvm_syslog_parse_target(cases[i].text, &t, err, sizeof(err)), -1);
		CHECK_STR(err, cases[i].why);
	}
	snprintf(long_path, sizeof(long_path), "unix:/%0*d", (int)sizeof(t.path), 0);
	CHECK_EQ(pvm_syslog_parse_target(long_path, &t, err, sizeof(err)), -1);
	CHECK_STR(err, "the socket's path is too long");
}

/* The time zone the local header's time is in, for one test; "": as it was. */
static void use_time_zone(const char *tz)
{
	static char saved[64];
	static bool had;

	if (tz[0]) {
		had = getenv("TZ") != NULL;
		snprintf(saved, sizeof(saved), "%s", had ? getenv("TZ") : "");
		setenv("TZ", tz, 1);
	} else if (had) {
		setenv("TZ", saved, 1);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

/*
 * RFC 5424, and syslog(3)'s header, which journald and imuxsock parse: the
 * rest is the message's text.
 */
UNIT_TEST(syslog_format_exact)
{
	struct pvm_event ev;
	struct pvm_alert a = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_HIGH, NULL);
	size_t len;

	build_example(&buf);
	ev = example_event();
	len = pvm_syslog_format(message, &ev, &a, &origin, PVM_SYSLOG_RFC5424);
	CHECK_STR(message, "<83>1 2026-11-27T15:45:08.123456Z " HOST " pvmtrace 812 " EXAMPLE_SD
			   " " EXAMPLE_REASON);
	CHECK_EQ(len, strlen(message));
	use_time_zone("EST5"); /* UTC-5, no summer time */
	len = pvm_syslog_format(message, &ev, &a, &origin, PVM_SYSLOG_LOCAL);
	CHECK_STR(message, "<83>Nov 27 10:45:08 pvmtrace[812]: " EXAMPLE_SD " " EXAMPLE_REASON);
	CHECK_EQ(len, strlen(message));
	ev.wall_ns -= 20 * 86400 * 1000000000ULL;
	pvm_syslog_format(message, &ev, &a, &origin, PVM_SYSLOG_LOCAL);
	CHECK(starts_with(message, "<83>Nov  7 10:45:08 pvmtrace[812]: PVM-W001 [pvmtrace@32473 "));
	use_time_zone("");
}

/* Read from /proc after the call: the consumer is told the pid may be another process's. */
UNIT_TEST(syslog_format_names_a_target_read_from_proc)
{
	struct pvm_alert a = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_HIGH, NULL);
	struct pvm_event ev;

	build_example(&buf);
	ev = example_event();
	pvm_event_set_target(&ev, ev.target.t, true);
	CHECK(strstr(format(&ev, &a), "\" target_source=\"proc\" target_pid=\"4300\" ") != NULL);
	pvm_event_set_target(&ev, ev.target.t, false);
	CHECK(strstr(format(&ev, &a), "\" target_source=\"kernel\" target_pid=\"4300\" ") != NULL);
}

/* A failed call, exes not known, a target nobody resolved, ids joined, no boot id. */
UNIT_TEST(syslog_format_sparse_call)
{
	static const struct pvm_syslog_origin unnamed = {"", "", 1};
	struct pvm_alert a = alert_of(PVM_RULE_READ_CREDENTIALS, PVM_SEV_HIGH, NULL);
	struct pvm_event ev;

	build_example(&buf);
	buf.rec.syscall = PVM_SYS_READV;
	buf.rec.ret = -1;
	buf.rec.target.source = PVM_TARGET_UNRESOLVED;
	ev = example_event();
	ev.caller_exe[0] = '\0';
	pvm_syslog_format(message, &ev, &a, &unnamed, PVM_SYSLOG_RFC5424);
	CHECK_STR(message,
		  "<83>1 2026-11-27T15:45:08.123456Z - pvmtrace 1 PVM-R003 "
		  "[pvmtrace@32473 rule=\"PVM-R003\" severity=\"high\" mitre=\"T1003,T1555\" "
		  "syscall=\"process_vm_readv\" error=\"EPERM\" caller_pid=\"4242\" "
		  "caller_comm=\"injector\" "
		  /* python3: hashlib.sha256(b":4242:0").hexdigest()[:32] */
		  "caller_entity_id=\"e0c71912d68d423a82984f3380b73376\" "
		  "target_source=\"unresolved\"] " EXAMPLE_REASON);
}

UNIT_TEST(syslog_format_pri_of_each_severity)
{
	static const struct {
		enum pvm_severity severity;
		const char *start, *param;
	} cases[] = {
		{PVM_SEV_CRITICAL, "<82>1 ", "severity=\"critical\""},
		{PVM_SEV_HIGH, "<83>1 ", "severity=\"high\""},
		{PVM_SEV_MEDIUM, "<84>1 ", "severity=\"medium\""},
		{PVM_SEV_LOW, "<85>1 ", "severity=\"low\""},
	};
	struct pvm_event ev;

	build_example(&buf);
	ev = example_event();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvm_alert a = alert_of(PVM_RULE_FOREIGN_WRITE, cases[i].severity, NULL);

		CHECK(pvm_syslog_sends(&a));
		CHECK(starts_with(format(&ev, &a), cases[i].start));
		CHECK(strstr(message, cases[i].param) != NULL);
	}
}

UNIT_TEST(syslog_spared_and_info_alerts_send_nothing)
{
	struct pvm_alert spared = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_INFO, "site.conf:2");
	struct pvm_alert info = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_INFO, NULL);
	struct pvm_alert low = alert_of(PVM_RULE_WRITE_UNRESOLVED, PVM_SEV_LOW, NULL);

	CHECK(!pvm_syslog_sends(&spared));
	CHECK(!pvm_syslog_sends(&info));
	CHECK(pvm_syslog_sends(&low));
}

/* Nothing but printable ASCII in the whole message. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < ' ' || *s > '~')
			return false;
	return true;
}

/* comm, exe and reason are what a traced process chose: data, never syntax. */
UNIT_TEST(syslog_format_hostile_names)
{
	static const struct pvm_syslog_origin spaced = {"my host\xc3\xa9", BOOT_ID, 812};
	struct pvm_alert a = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_HIGH, NULL);
	struct pvm_event ev;

	build_example(&buf);
	memcpy(buf.rec.comm, "x\"] \\\n\x1b[2J\xe2\x80\xae", 13);
	ev = example_event();
	snprintf(ev.caller_exe, sizeof(ev.caller_exe), "/tmp/a\"]\\\n<13>1 - x\x7f\xff");
	snprintf(a.reason, sizeof(a.reason), "pid 4300 (v\"]\\\n\x1b)");
	pvm_syslog_format(message, &ev, &a, &spaced, PVM_SYSLOG_RFC5424);
	CHECK(printable(message));
	CHECK(starts_with(message, "<83>1 2026-11-27T15:45:08.123456Z my?host?? pvmtrace 812 "));
	CHECK(strstr(message, " caller_comm=\"x\\\"\\] \\\\\\\\\\\\x0a\\\\x1b[2J"
			      "\\\\xe2\\\\x80\\\\xae\" ") != NULL);
	CHECK(strstr(message,
		     " caller_exe=\"/tmp/a\\\"\\]\\\\\\\\\\\\x0a<13>1 - x\\\\x7f\\\\xff\" "
		     "caller_entity_id=") != NULL);
	CHECK_STR(strstr(message, "\"] "), "\"] pid 4300 (v\"]\\\\\\x0a\\x1b)");
}

/* Values cut at 256 bytes (an exe's start), the reason at the message's end: the SD is whole. */
UNIT_TEST(syslog_format_cuts_on_whole_escapes)
{
	char host[PVM_HOST_NAME_MAX + 1], exe[PVM_EXE_PATH_MAX], want[400];
	const struct pvm_syslog_origin longest = {host, BOOT_ID, 4194304};
	struct pvm_alert a = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_HIGH, NULL);
	struct pvm_event ev;
	size_t len;

	memset(host, 'h', PVM_HOST_NAME_MAX);
	host[PVM_HOST_NAME_MAX] = '\0';
	memset(exe, '\x01', sizeof(exe) - 1);
	exe[sizeof(exe) - 1] = '\0';
	memset(a.reason, '\x02', sizeof(a.reason) - 1);
	a.reason[sizeof(a.reason) - 1] = '\0';
	build_example(&buf);
	ev = example_event();
	snprintf(ev.caller_exe, sizeof(ev.caller_exe), "%s", exe);
	snprintf(ev.target_exe, sizeof(ev.target_exe), "%s", exe);
	len = pvm_syslog_format(message, &ev, &a, &longest, PVM_SYSLOG_RFC5424);
	CHECK_EQ(len, strlen(message));
	CHECK(len < PVM_SYSLOG_MESSAGE_MAX);
	CHECK(len > PVM_SYSLOG_MESSAGE_MAX - 1 - 4); /* filled, but for part of an escape */
	CHECK(printable(message));
	strcpy(want, " caller_exe=\"...");
	for (int i = 0; i < (256 - 3) / 5; i++)
		strcat(want, "\\\\x01");
	strcat(want, "\" ");
	CHECK(strstr(message, want) != NULL);
	CHECK(strstr(message, "target_entity_id=\"" TARGET_ENTITY_ID "\"] \\x02\\x02") != NULL);
	CHECK(!strcmp(message + len - 7, "\\x02..."));
}

/* Of a long exe the end tells what ran: "..." and its last bytes, on whole escapes. */
UNIT_TEST(syslog_format_keeps_the_end_of_a_long_exe)
{
	struct pvm_alert a = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_HIGH, NULL);
	char want[400];
	struct pvm_event ev;
	size_t n;

	build_example(&buf);
	ev = example_event();
	n = (size_t)snprintf(ev.caller_exe, sizeof(ev.caller_exe), "/%0250d/tool (deleted)", 0);
	/* "..." and the last 253 bytes: 256 */
	snprintf(want, sizeof(want), " caller_exe=\"...%s\" ", ev.caller_exe + n - 253);
	CHECK(strstr(format(&ev, &a), want) != NULL);

	memset(ev.target_exe, '\x01', 200);
	strcpy(ev.target_exe + 200, "/victim (deleted)");
	strcpy(want, " target_exe=\"...");
	for (int i = 0; i < (256 - 3 - 17) / 5; i++) /* whole \\xHH escapes only */
		strcat(want, "\\\\x01");
	strcat(want, "/victim (deleted)\" ");
	CHECK(strstr(format(&ev, &a), want) != NULL);
}

/* --- the sender, over sockets of the test's own ------------------------------------ */

static void receive_timeout(int fd)
{
	struct timeval timeout = {RECEIVE_TIMEOUT_S, 0};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
}

/* A unix socket of `type` bound at DIR/NAME (dir made here), listening when a stream. */
static int unix_socket(int type, char dir[64], const char *name, char path[108])
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type, 0);

	snprintf(dir, 64, "/tmp/pvmtrace-syslog-XXXXXX");
	if (!mkdtemp(dir))
		unit_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
	snprintf(path, 108, "%s/%s", dir, name);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    (type == SOCK_STREAM && listen(fd, 1)))
		unit_fail(__FILE__, __LINE__, "bind %s: %s", path, strerror(errno));
	receive_timeout(fd);
	return fd;
}

static void remove_socket(int fd, const char *dir, const char *path)
{
	close(fd);
	unlink(path);
	rmdir(dir);
}

static struct pvm_syslog *open_syslog(const char *text)
{
	struct pvm_syslog_target t = target_of(text);
	char err[256];
	struct pvm_syslog *s = pvm_syslog_open(&t, HOST, BOOT_ID, err, sizeof(err));

	if (!s)
		unit_fail(__FILE__, __LINE__, "%s", err);
	return s;
}

static void check_counts(struct pvm_syslog *s, unsigned long long sent,
			 unsigned long long dropped, int line)
{
	struct pvm_syslog_counts c;

	pvm_syslog_counts(s, &c);
	if (c.sent != sent || c.dropped != dropped)
		unit_fail(__FILE__, line, "sent %llu dropped %llu, want %llu and %llu", c.sent,
			  c.dropped, sent, dropped);
}

/* What the sender sends of a: the message from this process. */
static size_t expected(const struct pvm_event *ev, const struct pvm_alert *a,
		       enum pvm_syslog_header header, char out[PVM_SYSLOG_MESSAGE_MAX])
{
	const struct pvm_syslog_origin self = {HOST, BOOT_ID, (unsigned int)getpid()};

	return pvm_syslog_format(out, ev, a, &self, header);
}

/* The call in buf with `n` alerts: W001 (high), then W003 spared by the allowlist. */
static struct pvm_event event_with(struct pvm_alerts *alerts, unsigned int n)
{
	struct pvm_event ev = example_event();

	alerts->n = n;
	alerts->alert[0] = alert_of(PVM_RULE_FOREIGN_WRITE, PVM_SEV_HIGH, NULL);
	alerts->alert[1] = alert_of(PVM_RULE_WRITE_ACROSS_BOUNDARY, PVM_SEV_INFO, "site.conf:2");
	ev.alerts = alerts;
	return ev;
}

UNIT_TEST(syslog_unix_datagram_round_trip)
{
	char dir[64], path[108], text[160], want[PVM_SYSLOG_MESSAGE_MAX], got[4096];
	int fd = unix_socket(SOCK_DGRAM, dir, "log", path);
	struct pvm_alerts alerts;
	struct pvm_event ev;
	size_t want_len;
	struct pvm_syslog *s;
	ssize_t n;

	build_example(&buf);
	ev = event_with(&alerts, 2);
	want_len = expected(&ev, &alerts.alert[0], PVM_SYSLOG_LOCAL, want);

	snprintf(text, sizeof(text), "unix:%s", path);
	s = open_syslog(text);
	pvm_syslog_event(s, &ev);
	n = recv(fd, got, sizeof(got), 0);
	CHECK_EQ(n, want_len);
	CHECK(n > 0 && !memcmp(got, want, want_len));
	alerts.n = 1;
	alerts.alert[0] = alerts.alert[1]; /* the spared one alone */
	pvm_syslog_event(s, &ev);
	pvm_syslog_event(s, &(struct pvm_event){.alerts = NULL});
	pvm_syslog_stop(s);
	check_counts(s, 1, 0, __LINE__);
	CHECK_EQ(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	pvm_syslog_close(s);
	remove_socket(fd, dir, path);
}

/* A stream's bytes until it ends, cap bytes came, or RECEIVE_TIMEOUT_S passed. */
static size_t receive_stream(int listener, char *out, size_t cap)
{
	int fd = accept(listener, NULL, NULL);
	size_t got = 0;
	ssize_t n;

	receive_timeout(fd);
	while (got < cap && (n = recv(fd, out + got, cap - got, 0)) > 0)
		got += (size_t)n;
	close(fd);
	return got;
}

/* The next message at *at: "LEN SP MSG" (octet counting), else MSG and a NUL. */
static const char *next_frame(const char **at, const char *end, bool octet_count, size_t *len)
{
	const char *m = *at, *nul;
	char *space;

	if (octet_count) {
		*len = strtoul(m, &space, 10);
		if (space == m || space >= end || *space != ' ' || *len > (size_t)(end - space - 1))
			return NULL;
		m = space + 1;
		*at = m + *len;
		return m;
	}
	nul = memchr(m, '\0', (size_t)(end - m));
	if (!nul)
		return NULL;
	*len = (size_t)(nul - m);
	*at = nul + 1;
	return m;
}

/* The example event of one alert (W001), from caller `pid`. */
static struct pvm_event event_from(__u32 pid, struct pvm_alerts *alerts)
{
	build_example(&buf);
	buf.rec.caller_pid = pid;
	return event_with(alerts, 1);
}

/*
 * Three messages, caller pids 1 to 3, sent before the sender stops; then
 * the stream: octet-counted RFC 5424 from tcp:, the local header from unix:.
 */
static void check_stream(int listener, const char *target, bool octet_count)
{
	char got[3 * (PVM_SYSLOG_MESSAGE_MAX + 8)], want[PVM_SYSLOG_MESSAGE_MAX];
	struct pvm_syslog *s = open_syslog(target);
	struct pvm_alerts alerts;
	const char *at = got, *end;

	for (__u32 pid = 1; pid <= 3; pid++) {
		struct pvm_event ev = event_from(pid, &alerts);

		pvm_syslog_event(s, &ev);
	}
	pvm_syslog_stop(s);
	check_counts(s, 3, 0, __LINE__);
	pvm_syslog_close(s);
	end = got + receive_stream(listener, got, sizeof(got));
	for (__u32 pid = 1; pid <= 3; pid++) {
		struct pvm_event ev = event_from(pid, &alerts);
		size_t want_len = expected(&ev, &alerts.alert[0],
					   octet_count ? PVM_SYSLOG_RFC5424 : PVM_SYSLOG_LOCAL, want);
		size_t len = 0;
		const char *m = next_frame(&at, end, octet_count, &len);

		CHECK_EQ(len, want_len);
		CHECK(m && len == want_len && !memcmp(m, want, len));
	}
	CHECK(at == end);
}

/* A TCP socket on 127.0.0.1 and a free port, listening; its target text into target. */
static int tcp_listener(char target[64])
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int small = 4096; /* taken by what it accepts: a hung collector's buffer fills soon */

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&addr, &len))
		unit_fail(__FILE__, __LINE__, "listen: %s", strerror(errno));
	receive_timeout(fd);
	snprintf(target, 64, "tcp:127.0.0.1:%u", ntohs(addr.sin_port));
	return fd;
}

/* Octet counting (RFC 6587): "LEN SP MSG", one after the other. */
UNIT_TEST(syslog_tcp_round_trip)
{
	char target[64];
	int fd = tcp_listener(target);

	check_stream(fd, target, true);
	close(fd);
}

/* A unix stream socket where a datagram one was expected: each message ends with a NUL. */
UNIT_TEST(syslog_unix_stream_fallback)
{
	char dir[64], path[108], target[160];
	int fd = unix_socket(SOCK_STREAM, dir, "stream", path);

	snprintf(target, sizeof(target), "unix:%s", path);
	check_stream(fd, target, false);
	remove_socket(fd, dir, path);
}

/* Nobody listens: the queue fills, each message past it is dropped, and at the end all are. */
UNIT_TEST(syslog_queue_full_drops_and_counts)
{
	struct pvm_syslog *s = open_syslog("unix:/nonexistent/pvmtrace-syslog-test");
	struct pvm_alerts alerts;
	struct pvm_event ev = event_from(4242, &alerts);

	for (int i = 0; i < PVM_SYSLOG_QUEUE + 5; i++)
		pvm_syslog_event(s, &ev);
	check_counts(s, 0, 5, __LINE__);
	pvm_syslog_stop(s);
	check_counts(s, 0, PVM_SYSLOG_QUEUE + 5, __LINE__);
	pvm_syslog_close(s);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Whole octet-counted frames in a stream of len bytes; a cut one at the end is not counted. */
static unsigned long long whole_frames(const char *stream, size_t len)
{
	const char *at = stream, *end = stream + len;
	unsigned long long n = 0;
	size_t frame_len;

	while (at < end && next_frame(&at, end, true, &frame_len))
		n++;
	return n;
}

/*
 * A collector that takes the connection and never reads: the sender is
 * stuck with a message half sent when told to stop. It stops within its
 * drain second (not one second per partial send), and what the collector
 * got whole is what it counts sent; every other message is dropped.
 */
UNIT_TEST(syslog_stop_is_bounded_with_a_hung_collector)
{
	enum { STREAM_MAX = PVM_SYSLOG_QUEUE * (PVM_SYSLOG_MESSAGE_MAX + 8) };
	char target[64];
	int listener = tcp_listener(target), fd;
	struct pvm_syslog *s = open_syslog(target);
	struct pvm_syslog_counts c;
	struct pvm_alerts alerts;
	struct pvm_event ev = event_from(4242, &alerts);
	char *stream = malloc(STREAM_MAX);
	struct timespec start;
	double took;
	size_t got = 0;
	ssize_t n;

	/* messages of 2047 bytes: the reason's escapes fill them */
	memset(alerts.alert[0].reason, '\x01', sizeof(alerts.alert[0].reason) - 1);
	for (int i = 0; i < PVM_SYSLOG_QUEUE; i++)
		pvm_syslog_event(s, &ev);
	fd = accept(listener, NULL, NULL);
	usleep(100 * 1000); /* the socket's buffers are full: the sender waits on a send */
	clock_gettime(CLOCK_MONOTONIC, &start);
	pvm_syslog_stop(s);
	took = seconds_since(&start);
	pvm_syslog_counts(s, &c);
	if (took > 1.5)
		unit_fail(__FILE__, __LINE__, "stop took %.2f s", took);
	CHECK_EQ(c.sent + c.dropped, PVM_SYSLOG_QUEUE);
	CHECK(c.dropped > 0);
	receive_timeout(fd);
	while (got < STREAM_MAX && (n = recv(fd, stream + got, STREAM_MAX - got, 0)) > 0)
		got += (size_t)n;
	CHECK_EQ(whole_frames(stream, got), c.sent);
	pvm_syslog_close(s);
	free(stream);
	close(fd);
	close(listener);
}

static long voluntary_switches(void)
{
	struct rusage usage;

	getrusage(RUSAGE_SELF, &usage);
	return usage.ru_nvcsw;
}

static void spin_for_ms(int ms)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (seconds_since(&start) * 1000 < ms)
		;
}

/*
 * A sender waiting out its second before the next connect is not woken by
 * each message queued meanwhile: waking would be all it does. The test
 * thread spins instead of sleeping, so the process's voluntary context
 * switches are the sender's.
 */
UNIT_TEST(syslog_queued_messages_leave_a_backing_off_sender_asleep)
{
	enum { MESSAGES = 200 };
	struct pvm_syslog *s = open_syslog("unix:/nonexistent/pvmtrace-syslog-test");
	struct pvm_alerts alerts;
	struct pvm_event ev = event_from(4242, &alerts);
	long before;

	pvm_syslog_event(s, &ev);
	spin_for_ms(50); /* the connect failed: the sender waits a second */
	before = voluntary_switches();
	for (int i = 0; i < MESSAGES; i++) {
		pvm_syslog_event(s, &ev);
		spin_for_ms(1);
	}
	if (voluntary_switches() - before > MESSAGES / 10)
		unit_fail(__FILE__, __LINE__, "%ld context switches for %d messages",
			  voluntary_switches() - before, MESSAGES);
	pvm_syslog_stop(s);
	check_counts(s, 0, MESSAGES + 1, __LINE__);
	pvm_syslog_close(s);
}

/* The next message on a connection from listener: it is octet-counted, from caller pid. */
static void check_received_from(int fd, __u32 pid, int line)
{
	char got[PVM_SYSLOG_MESSAGE_MAX + 8], want[PVM_SYSLOG_MESSAGE_MAX];
	struct pvm_alerts alerts;
	struct pvm_event ev = event_from(pid, &alerts);
	size_t want_len = expected(&ev, &alerts.alert[0], PVM_SYSLOG_RFC5424, want);
	size_t frame_len = 0;
	int prefix = snprintf(got, sizeof(got), "%zu ", want_len);
	size_t need = (size_t)prefix + want_len, have = 0;
	const char *at = got, *m;
	ssize_t n;

	while (have < need && (n = recv(fd, got + have, need - have, 0)) > 0)
		have += (size_t)n;
	m = next_frame(&at, got + have, true, &frame_len);
	if (!m || frame_len != want_len || memcmp(m, want, want_len))
		unit_fail(__FILE__, line, "message of caller %u not received whole (%zu bytes)", pid,
			  have);
}

/*
 * The collector closed the connection (a restart): the next message goes
 * over a new one, not into the closed one, where it would be lost though
 * counted sent.
 */
UNIT_TEST(syslog_tcp_reconnects_when_the_collector_closed)
{
	char target[64];
	int listener = tcp_listener(target), fd;
	struct pvm_syslog *s = open_syslog(target);
	struct pvm_alerts alerts;
	struct pvm_event ev = event_from(1, &alerts);

	pvm_syslog_event(s, &ev);
	fd = accept(listener, NULL, NULL);
	receive_timeout(fd);
	check_received_from(fd, 1, __LINE__);
	close(fd);
	usleep(50 * 1000); /* the sender's side has the FIN */
	ev = event_from(2, &alerts);
	pvm_syslog_event(s, &ev);
	fd = accept(listener, NULL, NULL);
	CHECK(fd >= 0);
	if (fd >= 0) {
		receive_timeout(fd);
		check_received_from(fd, 2, __LINE__);
		close(fd);
	}
	pvm_syslog_stop(s);
	check_counts(s, 2, 0, __LINE__);
	pvm_syslog_close(s);
	close(listener);
}
