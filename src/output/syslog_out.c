// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/syslog_out.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "output/envelope.h"

/* --- the queue and its sender ------------------------------------------------------ */

/*
 * A connect, or the send of one message, that takes longer fails: the
 * thread stops soon after it is told to.
 */
#define SOCKET_TIMEOUT_S 1
#define RETRY_AFTER_S 1
#define DRAIN_S 1
/* the octet count and its space (RFC 6587), or the NUL that ends a message on a unix stream */
#define FRAME_MAX (PVM_SYSLOG_MESSAGE_MAX + 8)

enum framing { FRAME_DATAGRAM, FRAME_OCTET_COUNT, FRAME_NUL };

struct slot {
	size_t len;
	char text[PVM_SYSLOG_MESSAGE_MAX];
};

struct pvm_syslog {
	struct pvm_syslog_target target;
	enum pvm_syslog_header header;
	char host_name[PVM_HOST_NAME_MAX + 1];
	char boot_id[PVM_BOOT_ID_LEN + 1];
	struct pvm_syslog_origin origin;
	/* one producer (the reader) moves tail, the sender head: the slots between are queued */
	_Atomic unsigned long long head, tail;
	_Atomic unsigned long long sent, dropped;
	struct slot *slots; /* PVM_SYSLOG_QUEUE */
	/* the sender's own */
	int fd; /* -1: not connected */
	enum framing framing;
	struct timespec retry_at;
	struct addrinfo *addresses; /* udp, tcp: the host's, once looked up */
	/* wakes the sender: a message was queued while it waited for one, or it is told to stop */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool sender_idle;	 /* under lock: waiting for a message, not woken yet */
	bool stopping;		 /* under lock */
	struct timespec stop_by; /* under lock, once stopping */
	pthread_t thread;
	bool stopped;
};

static unsigned long long queued(const struct pvm_syslog *s)
{
	return atomic_load_explicit(&s->tail, memory_order_acquire) -
	       atomic_load_explicit(&s->head, memory_order_acquire);
}

static void count(_Atomic unsigned long long *counter, unsigned long long n)
{
	atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

static struct timespec now_plus(time_t seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += seconds;
	return ts;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static bool reached(const struct timespec *when)
{
	struct timespec now = now_plus(0);

	return !before(&now, when);
}

/* Milliseconds left until when, rounded up; 0 once reached. */
static int ms_until(const struct timespec *when)
{
	struct timespec now = now_plus(0);
	long long ns = (long long)(when->tv_sec - now.tv_sec) * 1000000000LL +
		       (when->tv_nsec - now.tv_nsec);

	return ns > 0 ? (int)((ns + 999999) / 1000000) : 0;
}

static bool told_to_stop(struct pvm_syslog *s)
{
	bool yes;

	pthread_mutex_lock(&s->lock);
	yes = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return yes;
}

/* When a connect or a message's send gives up: a second from now, sooner when stopping. */
static struct timespec deadline(struct pvm_syslog *s)
{
	struct timespec by = now_plus(SOCKET_TIMEOUT_S);

	pthread_mutex_lock(&s->lock);
	if (s->stopping && before(&s->stop_by, &by))
		by = s->stop_by;
	pthread_mutex_unlock(&s->lock);
	return by;
}

/* Whether fd takes more bytes (or has an error to tell) before the deadline. */
static bool writable_by(int fd, const struct timespec *deadline)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int n;

	do
		n = poll(&p, 1, ms_until(deadline));
	while (n < 0 && errno == EINTR);
	return n > 0;
}

/* How a connect under way ended by the deadline: 0, or its error. */
static int connect_error(int fd, const struct timespec *deadline)
{
	socklen_t len = sizeof(int);
	int err;

	if (!writable_by(fd, deadline))
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

/* Non-blocking: every wait on it is bounded by a deadline. */
static int connected_socket(int family, int type, const struct sockaddr *addr, socklen_t len,
			    const struct timespec *deadline)
{
	int fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err;

	if (fd < 0 || !connect(fd, addr, len))
		return fd;
	err = errno == EINPROGRESS ? connect_error(fd, deadline) : errno;
	if (!err)
		return fd;
	close(fd);
	errno = err;
	return -1;
}

static int connect_unix(struct pvm_syslog *s)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timespec by = deadline(s);
	int fd;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", s->target.path);
	s->framing = FRAME_DATAGRAM;
	fd = connected_socket(AF_UNIX, SOCK_DGRAM, (struct sockaddr *)&addr, sizeof(addr), &by);
	if (fd >= 0 || errno != EPROTOTYPE)
		return fd;
	/* a stream socket (syslog-ng's unix-stream): a NUL ends each message, as with syslog(3) */
	s->framing = FRAME_NUL;
	return connected_socket(AF_UNIX, SOCK_STREAM, (struct sockaddr *)&addr, sizeof(addr), &by);
}

/*
 * A name's lookup can wait on an unreachable resolver for many seconds:
 * made once, and never once stopping (the drain has a second), when only an
 * address, which asks no resolver, is taken.
 */
static bool looked_up(struct pvm_syslog *s, int type)
{
	struct addrinfo hints = {.ai_socktype = type, .ai_flags = AI_NUMERICSERV}, *list;

	if (s->addresses)
		return true;
	if (told_to_stop(s))
		hints.ai_flags |= AI_NUMERICHOST;
	if (getaddrinfo(s->target.host, s->target.port, &hints, &list))
		return false;
	s->addresses = list;
	return true;
}

static void forget_addresses(struct pvm_syslog *s)
{
	if (s->addresses)
		freeaddrinfo(s->addresses);
	s->addresses = NULL;
}

/* Each address in turn, a second each at most; none took it: the name is looked up again. */
static int connect_inet(struct pvm_syslog *s, int type)
{
	int fd = -1;

	s->framing = type == SOCK_STREAM ? FRAME_OCTET_COUNT : FRAME_DATAGRAM;
	if (!looked_up(s, type))
		return -1;
	for (struct addrinfo *ai = s->addresses; ai && fd < 0; ai = ai->ai_next) {
		struct timespec by = deadline(s);

		fd = connected_socket(ai->ai_family, ai->ai_socktype, ai->ai_addr, ai->ai_addrlen,
				      &by);
	}
	if (fd < 0)
		forget_addresses(s);
	return fd;
}

static int connect_target(struct pvm_syslog *s)
{
	switch (s->target.transport) {
	case PVM_SYSLOG_UNIX:
		return connect_unix(s);
	case PVM_SYSLOG_UDP:
		return connect_inet(s, SOCK_DGRAM);
	default:
		return connect_inet(s, SOCK_STREAM);
	}
}

/* Until `until`, or stop_by if that comes first once the thread is told to stop. */
static void sleep_until(struct pvm_syslog *s, const struct timespec *until)
{
	pthread_mutex_lock(&s->lock);
	for (;;) {
		const struct timespec *end =
			s->stopping && before(&s->stop_by, until) ? &s->stop_by : until;

		if (reached(end))
			break;
		pthread_cond_timedwait(&s->wake, &s->lock, end);
	}
	pthread_mutex_unlock(&s->lock);
}

/*
 * A stream the collector closed (it restarted) still takes the next
 * message, which is lost: the close is seen first, as the end of what it
 * sends (nothing, as a rule), or an error.
 */
static bool closed_by_peer(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

static void disconnect(struct pvm_syslog *s)
{
	close(s->fd);
	s->fd = -1;
}

/* Connected, or false: the next try is a second after the last failed. */
static bool connected(struct pvm_syslog *s)
{
	if (s->fd >= 0 && s->framing != FRAME_DATAGRAM && closed_by_peer(s->fd))
		disconnect(s); /* not a failure: connect again at once */
	if (s->fd >= 0)
		return true;
	if (!reached(&s->retry_at)) {
		sleep_until(s, &s->retry_at);
		return false;
	}
	s->fd = connect_target(s);
	if (s->fd < 0)
		s->retry_at = now_plus(RETRY_AFTER_S);
	return s->fd >= 0;
}

static size_t frame(char out[FRAME_MAX], enum framing framing, const struct slot *m)
{
	size_t n = framing == FRAME_OCTET_COUNT ? (size_t)sprintf(out, "%zu ", m->len) : 0;

	memcpy(out + n, m->text, m->len);
	n += m->len;
	if (framing == FRAME_NUL)
		out[n++] = '\0';
	return n;
}

/* A datagram goes whole or not at all; a stream may take it in parts, until the deadline. */
static bool send_whole(int fd, const char *p, size_t n, const struct timespec *deadline)
{
	while (n) {
		ssize_t done = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (done > 0) {
			p += done;
			n -= (size_t)done;
		} else if (done == 0 || (errno != EAGAIN && errno != EINTR) ||
			   !writable_by(fd, deadline)) {
			return false;
		}
	}
	return true;
}

/*
 * A message that fails is dropped: what follows it goes over a new
 * connection (a stream may hold part of it), a second later.
 */
static void send_next(struct pvm_syslog *s)
{
	unsigned long long head = atomic_load_explicit(&s->head, memory_order_relaxed);
	const struct slot *next = &s->slots[head % PVM_SYSLOG_QUEUE];
	struct timespec by = deadline(s);
	char buf[FRAME_MAX];
	bool ok = send_whole(s->fd, buf, frame(buf, s->framing, next), &by);

	count(ok ? &s->sent : &s->dropped, 1);
	if (!ok) {
		disconnect(s);
		s->retry_at = now_plus(RETRY_AFTER_S);
	}
	atomic_store_explicit(&s->head, head + 1, memory_order_release);
}

/* Waits for a message; false when the thread is to stop instead. */
static bool wait_for_message(struct pvm_syslog *s)
{
	bool go;

	pthread_mutex_lock(&s->lock);
	while (!queued(s) && !s->stopping) {
		s->sender_idle = true;
		pthread_cond_wait(&s->wake, &s->lock);
	}
	s->sender_idle = false;
	go = queued(s) && !(s->stopping && reached(&s->stop_by));
	pthread_mutex_unlock(&s->lock);
	return go;
}

static void *sender_loop(void *arg)
{
	struct pvm_syslog *s = arg;

	while (wait_for_message(s))
		if (connected(s))
			send_next(s);
	if (s->fd >= 0)
		close(s->fd);
	forget_addresses(s);
	return NULL;
}

/* The clock the waits are measured on, which setting the date does not move. */
static int init_wake(pthread_cond_t *wake)
{
	pthread_condattr_t attr;
	int err = pthread_condattr_init(&attr);

	if (!err)
		err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(wake, &attr);
	pthread_condattr_destroy(&attr);
	return err;
}

static int start_thread(struct pvm_syslog *s)
{
	pthread_attr_t attr;
	sigset_t all;
	int err = init_wake(&s->wake);

	if (err)
		return err;
	pthread_mutex_init(&s->lock, NULL);
	/* signals stay with the thread that reads the ring buffer */
	sigfillset(&all);
	pthread_attr_init(&attr);
	err = pthread_attr_setsigmask_np(&attr, &all);
	if (!err)
		err = pthread_create(&s->thread, &attr, sender_loop, s);
	pthread_attr_destroy(&attr);
	if (err) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
	}
	return err;
}

static void free_syslog(struct pvm_syslog *s)
{
	free(s->slots);
	free(s);
}

struct pvm_syslog *pvm_syslog_open(const struct pvm_syslog_target *target, const char *host_name,
				   const char *boot_id, char *err, size_t err_len)
{
	struct pvm_syslog *s = calloc(1, sizeof(*s));
	int e = ENOMEM;

	/* the local time zone read now: the reader's first message would read it, and allocate */
	tzset();
	if (s)
		s->slots = malloc(PVM_SYSLOG_QUEUE * sizeof(*s->slots));
	if (s && s->slots) {
		s->target = *target;
		s->header = target->transport == PVM_SYSLOG_UNIX ? PVM_SYSLOG_LOCAL
								 : PVM_SYSLOG_RFC5424;
		snprintf(s->host_name, sizeof(s->host_name), "%s", host_name);
		snprintf(s->boot_id, sizeof(s->boot_id), "%s", boot_id);
		s->origin = (struct pvm_syslog_origin){s->host_name, s->boot_id,
						       (unsigned int)getpid()};
		s->fd = -1;
		e = start_thread(s);
		if (!e)
			return s;
	}
	snprintf(err, err_len, "cannot start the syslog sender: %s", strerror(e));
	if (s)
		free_syslog(s);
	return NULL;
}

static void enqueue(struct pvm_syslog *s, const struct pvm_event *ev, const struct pvm_alert *alert)
{
	unsigned long long tail = atomic_load_explicit(&s->tail, memory_order_relaxed);
	struct slot *slot = &s->slots[tail % PVM_SYSLOG_QUEUE];

	if (tail - atomic_load_explicit(&s->head, memory_order_acquire) == PVM_SYSLOG_QUEUE) {
		count(&s->dropped, 1);
		return;
	}
	slot->len = pvm_syslog_format(slot->text, ev, alert, &s->origin, s->header);
	/*
	 * under the lock: a sender about to wait sees the message, or is woken;
	 * one busy, or waiting out a failed connect, is left alone
	 */
	pthread_mutex_lock(&s->lock);
	atomic_store_explicit(&s->tail, tail + 1, memory_order_release);
	if (s->sender_idle) {
		s->sender_idle = false;
		pthread_cond_signal(&s->wake);
	}
	pthread_mutex_unlock(&s->lock);
}

void pvm_syslog_event(struct pvm_syslog *s, const struct pvm_event *ev)
{
	if (!s || !ev->alerts)
		return;
	for (unsigned int i = 0; i < ev->alerts->n; i++)
		if (pvm_syslog_sends(&ev->alerts->alert[i]))
			enqueue(s, ev, &ev->alerts->alert[i]);
}

void pvm_syslog_counts(const struct pvm_syslog *s, struct pvm_syslog_counts *out)
{
	out->sent = atomic_load_explicit(&s->sent, memory_order_relaxed);
	out->dropped = atomic_load_explicit(&s->dropped, memory_order_relaxed);
}

void pvm_syslog_stop(struct pvm_syslog *s)
{
	if (!s || s->stopped)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	s->stop_by = now_plus(DRAIN_S);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->stopped = true;
	count(&s->dropped, queued(s));
}

void pvm_syslog_close(struct pvm_syslog *s)
{
	if (!s)
		return;
	pvm_syslog_stop(s);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free_syslog(s);
}
