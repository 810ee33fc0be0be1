// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --syslog against the real rsyslogd: this process writes into a child of
 * its own, and what rsyslog parsed of the alert's message is held to the
 * JSON event of the same call.
 */
#include "syslog.h"

#include "cli.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define RSYSLOGD "/usr/sbin/rsyslogd"
#define WAIT_MS 30000
/* Each message as rsyslog parsed it, one line ("%%": the config is written with fprintf). */
#define FIELDS                                                                                    \
	"pri=%%pri%% facility=%%syslogfacility%% severity=%%syslogseverity%% host=%%hostname%% " \
	"app=%%app-name%% procid=%%procid%% msgid=%%msgid%% sd=%%structured-data%% msg=%%msg%%"

struct rsyslog {
	char conf[160], pid_file[160], received[160], alerts[160], err[160];
	char socket[160]; /* imuxsock's, as /dev/log would be */
	unsigned int tcp_port, udp_port;
	pid_t pid;
};

/* One pvmtrace, sending to --syslog=`target`. */
struct syslog_run {
	const char *transport;
	char target[200], out[160], err[160];
	pid_t tracer, target_pid;
};


const char *e2e_rsyslog_missing(const char *pvmtrace)
{
	(void)pvmtrace;
	return access(RSYSLOGD, X_OK) ? "no " RSYSLOGD " (Debian package rsyslog)" : NULL;
}

/* What went wrong, and the file that tells why. */
static bool fail_showing(const char *what, const char *path)
{
	char text[8192];

	e2e_slurp(path, text, sizeof(text));
	fprintf(stderr, "  FAIL cli: syslog: %s\n    %s: %s\n", what, path, text);
	return false;
}

static struct sockaddr_in loopback(unsigned int port)
{
	return (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
}

/* A port of 127.0.0.1 that nothing has open now; 0 when none is found. */
static unsigned int free_port(int type)
{
	struct sockaddr_in addr = loopback(0);
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, type, 0);
	unsigned int port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&addr, sizeof(addr)) &&
	    !getsockname(fd, (struct sockaddr *)&addr, &len))
		port = ntohs(addr.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

#define SHIPPED_CONF "config/rsyslog-pvmtrace.conf"
#define SHIPPED_ALERTS "/var/log/pvmtrace/alerts.log"

/* The first `from` in text (of capacity cap) becomes `to`; false if absent or no room. */
static bool replace_once(char *text, size_t cap, const char *from, const char *to)
{
	char *at = strstr(text, from);
	size_t from_len = strlen(from), to_len = strlen(to), len = strlen(text);

	if (!at || len - from_len + to_len >= cap)
		return false;
	memmove(at + to_len, at + from_len, len - (size_t)(at - text) - from_len + 1);
	memcpy(at, to, to_len);
	return true;
}

/*
 * The collector configuration pvmtrace ships, its inputs on 127.0.0.1 and
 * free ports, its file in scratch: what an operator installs, checked.
 */
static bool shipped_conf(const struct rsyslog *r, char *text, size_t cap)
{
	char tcp[96], udp[96];

	e2e_slurp(SHIPPED_CONF, text, cap);
	snprintf(tcp, sizeof(tcp), "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%u\")",
		 r->tcp_port);
	snprintf(udp, sizeof(udp), "input(type=\"imudp\" address=\"127.0.0.1\" port=\"%u\")",
		 r->udp_port);
	return replace_once(text, cap, "input(type=\"imtcp\" port=\"514\")", tcp) &&
	       replace_once(text, cap, "input(type=\"imudp\" port=\"514\")", udp) &&
	       replace_once(text, cap, SHIPPED_ALERTS, r->alerts);
}

/*
 * Nothing of the host's logging (no /dev/log, no state elsewhere): a local
 * socket of its own, each pvmtrace message as rsyslog parsed it into
 * `received`, then the shipped configuration.
 */
static bool write_rsyslog_conf(const struct rsyslog *r, const char *scratch)
{
	char shipped[4096];
	FILE *f;
	bool written;

	if (!shipped_conf(r, shipped, sizeof(shipped)))
		return fail_showing("the shipped configuration lost its inputs or file", SHIPPED_CONF);
	f = fopen(r->conf, "w");
	if (!f)
		return false;
	written = fprintf(f,
			  "global(workDirectory=\"%s\")\n"
			  "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
			  "input(type=\"imuxsock\" Socket=\"%s\")\n"
			  "template(name=\"fields\" type=\"string\" string=\"" FIELDS "\\n\")\n"
			  "if $app-name == \"pvmtrace\" then\n"
			  "\taction(type=\"omfile\" file=\"%s\" template=\"fields\")\n"
			  "%s",
			  scratch, r->socket, r->received, shipped) > 0;
	return !fclose(f) && written;
}

static bool listening(unsigned int port)
{
	struct sockaddr_in addr = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool yes = fd >= 0 && !connect(fd, (struct sockaddr *)&addr, sizeof(addr));

	if (fd >= 0)
		close(fd);
	return yes;
}

/*
 * Up once it takes TCP connections. UDP and the local socket are sent to
 * only after the whole TCP run, seconds later: by then imudp and imuxsock,
 * started with imtcp, are listening.
 */
static bool wait_for_rsyslogd(struct rsyslog *r)
{
	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		if (listening(r->tcp_port))
			return true;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid) {
			r->pid = 0;
			return fail_showing("rsyslogd exited", r->err);
		}
		usleep(10 * 1000);
	}
	return fail_showing("rsyslogd does not take connections", r->err);
}

static bool start_rsyslogd(struct rsyslog *r, const char *scratch)
{
	snprintf(r->conf, sizeof(r->conf), "%s/rsyslog.conf", scratch);
	snprintf(r->pid_file, sizeof(r->pid_file), "%s/rsyslogd.pid", scratch);
	snprintf(r->received, sizeof(r->received), "%s/rsyslog-received.log", scratch);
	snprintf(r->alerts, sizeof(r->alerts), "%s/alerts.log", scratch);
	snprintf(r->err, sizeof(r->err), "%s/rsyslogd.err", scratch);
	snprintf(r->socket, sizeof(r->socket), "%s/log", scratch);
	r->tcp_port = free_port(SOCK_STREAM);
	r->udp_port = free_port(SOCK_DGRAM);
	if (!r->tcp_port || !r->udp_port)
		return fail_showing("no free ports", r->conf);
	if (!write_rsyslog_conf(r, scratch))
		return fail_showing("cannot write the config", r->conf);
	fflush(NULL);
	r->pid = fork();
	if (r->pid == 0) {
		if (!freopen(r->err, "w", stderr) || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(126);
		execl(RSYSLOGD, "rsyslogd", "-n", "-f", r->conf, "-i", r->pid_file, (char *)NULL);
		_exit(127);
	}
	return r->pid > 0 && wait_for_rsyslogd(r);
}

static void stop_rsyslogd(struct rsyslog *r)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, SIGTERM);
	waitpid(r->pid, NULL, 0);
}

/* pvmtrace on this process's calls: JSON to run->out, the alerts to rsyslog. */
static pid_t start_pvmtrace(const char *pvmtrace, const struct syslog_run *run)
{
	char syslog[224], self[16];
	pid_t pid;

	snprintf(syslog, sizeof(syslog), "--syslog=%s", run->target);
	snprintf(self, sizeof(self), "%d", (int)getpid());
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)pvmtrace, syslog, "--pid", self, "--json", "-o",
				(char *)run->out, NULL};

		if (!freopen(run->err, "w", stderr))
			_exit(126);
		execv(pvmtrace, argv);
		_exit(127);
	}
	return pid;
}

/*
 * The call the alert is about: 8 bytes into the heap of a child that waits
 * (where no other rule than foreign-write looks: no second message).
 */
static bool write_into_child(struct syslog_run *run)
{
	uint64_t value = 0x706d7674, *slot = malloc(sizeof(*slot));
	struct iovec local = {&value, sizeof(value)}, remote = {slot, sizeof(*slot)};

	run->target_pid = fork();
	if (run->target_pid == 0) {
		pause();
		_exit(0);
	}
	if (slot && run->target_pid > 0 &&
	    process_vm_writev(run->target_pid, &local, 1, &remote, 1, 0) == sizeof(value)) {
		free(slot);
		return true;
	}
	free(slot);
	return fail_showing("process_vm_writev into the child failed", run->err);
}

static bool stop_pvmtrace(const struct syslog_run *run)
{
	int status = 0;

	kill(run->tracer, SIGINT);
	waitpid(run->tracer, &status, 0);
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	       fail_showing("pvmtrace did not exit 0 on SIGINT", run->err);
}

/* The first line of the file at path that holds text, into line. */
static bool line_with(const char *path, const char *text, char *line, size_t len)
{
	FILE *f = fopen(path, "r");
	bool found = false;

	while (f && !found && fgets(line, (int)len, f))
		found = strstr(line, text) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* What the JSON event says of the call that the messages must say too. */
struct json_call {
	char host[256], caller_entity_id[40], target_entity_id[40], target_source[16];
	long long caller_pid, target_pid;
	size_t not_allowed; /* alerts the allowlist did not spare: one message each */
};

static json_object *member(json_object *o, const char *outer, const char *key)
{
	json_object *in, *value;

	if (json_object_object_get_ex(o, outer, &in) && json_object_object_get_ex(in, key, &value))
		return value;
	return NULL;
}

static void json_call_from(struct json_call *c, json_object *o)
{
	json_object *alerts;

	snprintf(c->host, sizeof(c->host), "%s", json_object_get_string(member(o, "host", "name")));
	snprintf(c->caller_entity_id, sizeof(c->caller_entity_id), "%s",
		 json_object_get_string(member(o, "caller", "entity_id")));
	snprintf(c->target_entity_id, sizeof(c->target_entity_id), "%s",
		 json_object_get_string(member(o, "target", "entity_id")));
	snprintf(c->target_source, sizeof(c->target_source), "%s",
		 json_object_get_string(member(o, "target", "source")));
	c->caller_pid = json_object_get_int64(member(o, "caller", "pid"));
	c->target_pid = json_object_get_int64(member(o, "target", "pid"));
	if (!json_object_object_get_ex(o, "alerts", &alerts))
		return;
	for (size_t i = 0; i < json_object_array_length(alerts); i++)
		c->not_allowed += !json_object_object_get_ex(json_object_array_get_idx(alerts, i),
							     "allowed_by", NULL);
}

static bool json_call_of_run(const struct syslog_run *run, struct json_call *c)
{
	char line[16384];
	json_object *o;

	if (!line_with(run->out, "\"process_vm_writev\"", line, sizeof(line)) ||
	    !(o = json_tokener_parse(line)))
		return fail_showing("no JSON event of the write", run->out);
	json_call_from(c, o);
	json_object_put(o);
	if (c->caller_pid == getpid() && c->target_pid == run->target_pid)
		return true;
	return fail_showing("the JSON event names another caller or target", run->out);
}

static bool has(const char *line, const char *text, const char *path)
{
	char what[1200];

	if (strstr(line, text))
		return true;
	snprintf(what, sizeof(what), "rsyslog's line has no %s", text);
	return fail_showing(what, path);
}

/* The counter line: a message sent for each alert not spared, none dropped. */
static bool counted(const struct syslog_run *run, const struct json_call *c)
{
	char err[8192], sent[64], what[128];
	const char *at;

	e2e_slurp(run->err, err, sizeof(err));
	snprintf(sent, sizeof(sent), " syslog_sent=%zu", c->not_allowed);
	at = strstr(err, sent);
	if (at && strchr(" \n", at[strlen(sent)]) && !strstr(err, " syslog_dropped="))
		return true;
	snprintf(what, sizeof(what), "the counter line has not%s and no drop", sent);
	return fail_showing(what, run->err);
}

/* rsyslog's line of this run's PVM-W001, its PROCID pvmtrace's, MSGID `msgid`. */
static bool received_line(const struct syslog_run *run, const struct rsyslog *r,
			  const char *msgid, char *line, size_t len)
{
	char from[64];

	snprintf(from, sizeof(from), " procid=%d msgid=%s ", (int)run->tracer, msgid);
	return (e2e_wait_for_text(r->received, from) && line_with(r->received, from, line, len)) ||
	       fail_showing("rsyslog received no PVM-W001 from this pvmtrace", r->received);
}

/*
 * The structured data and the reason (after `between`): the rule, the JSON
 * event's caller, target and entity ids.
 */
static bool has_alert(const char *line, const struct json_call *c, const char *between,
		      const char *path)
{
	char text[512];
	bool ok;

	snprintf(text, sizeof(text),
		 "[pvmtrace@32473 rule=\"PVM-W001\" severity=\"high\" mitre=\"T1055\" "
		 "syscall=\"process_vm_writev\" bytes=\"8\" caller_pid=\"%lld\" ",
		 c->caller_pid);
	ok = has(line, text, path);
	snprintf(text, sizeof(text),
		 " caller_entity_id=\"%s\" target_source=\"%s\" target_pid=\"%lld\" ",
		 c->caller_entity_id, c->target_source, c->target_pid);
	ok = ok && has(line, text, path);
	snprintf(text, sizeof(text), " target_entity_id=\"%s\"]%swrote 8 bytes into pid %lld ",
		 c->target_entity_id, between, c->target_pid);
	return ok && has(line, text, path);
}

/*
 * From a local socket, syslog(3)'s header as imuxsock parsed it: APP-NAME
 * and PROCID; MSGID and structured data are the message's text (after the
 * space that follows "pvmtrace[PID]:"), HOSTNAME rsyslog's own.
 */
static bool received_local_alert(const struct syslog_run *run, const struct rsyslog *r,
				 const struct json_call *c)
{
	char line[8192], header[256];

	snprintf(header, sizeof(header),
		 " app=pvmtrace procid=%d msgid=- sd=- msg= PVM-W001 [pvmtrace@32473 ",
		 (int)run->tracer);
	return received_line(run, r, "-", line, sizeof(line)) &&
	       has(line, "pri=83 facility=10 severity=3 host=", r->received) &&
	       has(line, header, r->received) && has_alert(line, c, " ", r->received);
}

/*
 * The write's foreign-write alert as rsyslog parsed it: authpriv.err, the
 * JSON event's host, caller, target and entity ids, the rule's reason.
 */
static bool received_alert(const struct syslog_run *run, const struct rsyslog *r,
			   const struct json_call *c)
{
	char line[8192], header[1024];
	bool ok;

	if (!received_line(run, r, "PVM-W001", line, sizeof(line)))
		return false;
	snprintf(header, sizeof(header),
		 "pri=83 facility=10 severity=3 host=%s app=pvmtrace procid=%d msgid=PVM-W001 sd=[",
		 c->host, (int)run->tracer);
	ok = has(line, header, r->received) && has_alert(line, c, " msg=", r->received);
	/* and as the shipped configuration writes it: RFC 5424 again, as received */
	snprintf(header, sizeof(header), " %s pvmtrace %d PVM-W001 [pvmtrace@32473 rule=\"PVM-W001\" ",
		 c->host, (int)run->tracer);
	return ok && (e2e_wait_for_text(r->alerts, header) ||
		      fail_showing("the shipped configuration's file lacks the message", r->alerts));
}

typedef bool received_fn(const struct syslog_run *run, const struct rsyslog *r,
			 const struct json_call *c);

/* pvmtrace sending to TRANSPORT:ADDRESS, and what rsyslog received checked by `received`. */
static bool syslog_run(const char *pvmtrace, const char *scratch, const char *transport,
		       const char *address, const struct rsyslog *r, received_fn *received)
{
	struct syslog_run run = {.transport = transport};
	struct json_call c = {0};
	bool ok;

	snprintf(run.target, sizeof(run.target), "%s:%s", transport, address);
	snprintf(run.out, sizeof(run.out), "%s/syslog-%s.json", scratch, transport);
	snprintf(run.err, sizeof(run.err), "%s/syslog-%s.err", scratch, transport);
	run.tracer = start_pvmtrace(pvmtrace, &run);
	ok = e2e_wait_for_text(run.err, "pvmtrace: tracing") ||
	     fail_showing("pvmtrace did not start", run.err);
	ok = ok && write_into_child(&run);
	ok = ok && (e2e_wait_for_text(run.out, "\"process_vm_writev\"") ||
		    fail_showing("no event of the write", run.err));
	if (ok) {
		ok = stop_pvmtrace(&run) && json_call_of_run(&run, &c) && counted(&run, &c) &&
		     received(&run, r, &c);
	} else {
		kill(run.tracer, SIGKILL);
		waitpid(run.tracer, NULL, 0);
	}
	if (run.target_pid > 0) {
		kill(run.target_pid, SIGKILL);
		waitpid(run.target_pid, NULL, 0);
	}
	return ok;
}

bool e2e_syslog_rsyslog(const char *pvmtrace, const char *scratch)
{
	const char *missing = e2e_rsyslog_missing(pvmtrace);
	struct rsyslog r = {0};
	char tcp[32], udp[32];
	bool ok;

	if (missing) {
		fprintf(stderr, "  FAIL cli: syslog: %s\n", missing);
		return false;
	}
	ok = start_rsyslogd(&r, scratch);
	snprintf(tcp, sizeof(tcp), "127.0.0.1:%u", r.tcp_port);
	snprintf(udp, sizeof(udp), "127.0.0.1:%u", r.udp_port);
	ok = ok && syslog_run(pvmtrace, scratch, "tcp", tcp, &r, received_alert);
	ok = ok && syslog_run(pvmtrace, scratch, "udp", udp, &r, received_alert);
	ok = ok && syslog_run(pvmtrace, scratch, "unix", r.socket, &r, received_local_alert);
	stop_rsyslogd(&r);
	return ok;
}
