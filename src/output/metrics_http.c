// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "output/metrics_http.h"

#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Enough for Prometheus and a person with curl; a flood of clients waits. */
#define CONNECTIONS_MAX 16
#define CONNECTIONS_PER_IP 8
#define IDLE_TIMEOUT_S 3 /* a client that holds a connection idle gives it up soon */

#define TEXT_FORMAT "text/plain; version=0.0.4; charset=utf-8"

#define MHD_LIBRARY "libmicrohttpd.so.12"

const char *const pvm_metrics_library = MHD_LIBRARY;

/*
 * libmicrohttpd, loaded for --metrics only: linked, it and the eight
 * libraries of GnuTLS it needs were mapped in every run, 2.8 MiB more of
 * RSS under a flood with no --metrics at all.
 */
static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
} mhd;

#define MHD_SYMBOL(h, field, name) (mhd.field = (__typeof__(mhd.field))dlsym(h, name))

static bool load_mhd(char *err, size_t err_len)
{
	void *h = mhd.start_daemon ? NULL : dlopen(MHD_LIBRARY, RTLD_NOW | RTLD_LOCAL);

	if (mhd.start_daemon)
		return true;
	if (h && MHD_SYMBOL(h, stop_daemon, "MHD_stop_daemon") &&
	    MHD_SYMBOL(h, create_response_from_buffer, "MHD_create_response_from_buffer") &&
	    MHD_SYMBOL(h, add_response_header, "MHD_add_response_header") &&
	    MHD_SYMBOL(h, queue_response, "MHD_queue_response") &&
	    MHD_SYMBOL(h, destroy_response, "MHD_destroy_response") &&
	    MHD_SYMBOL(h, start_daemon, "MHD_start_daemon"))
		return true;
	snprintf(err, err_len, "cannot load %s (Debian package libmicrohttpd12): %s", MHD_LIBRARY,
		 dlerror());
	return false;
}

struct pvm_metrics_server {
	struct MHD_Daemon *daemon;
	const char *version;
	pthread_mutex_t lock; /* over `now` */
	struct pvm_metrics_snapshot now;
};

static struct MHD_Response *response(const char *type, const char *body, size_t len)
{
	struct MHD_Response *r =
		mhd.create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);

	if (r)
		mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	return r;
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned int status, const char *type,
			       const char *body, size_t len)
{
	return queue(c, status, response(type, body, len));
}

static enum MHD_Result refuse_method(struct MHD_Connection *c)
{
	struct MHD_Response *r = response("text/plain", "GET only\n", 9);

	if (r)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	return queue(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
}

static struct pvm_metrics_snapshot snapshot(struct pvm_metrics_server *m)
{
	struct pvm_metrics_snapshot s;

	pthread_mutex_lock(&m->lock);
	s = m->now;
	pthread_mutex_unlock(&m->lock);
	return s;
}

static enum MHD_Result serve_metrics(struct pvm_metrics_server *m, struct MHD_Connection *c)
{
	struct pvm_metrics_snapshot s = snapshot(m);
	char text[PVM_METRICS_TEXT_MAX];
	size_t len = pvm_metrics_text(text, sizeof(text), &s, m->version);

	if (!len)
		return respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", "too long\n", 9);
	return respond(c, MHD_HTTP_OK, TEXT_FORMAT, text, len);
}

static enum MHD_Result serve_health(struct pvm_metrics_server *m, struct MHD_Connection *c)
{
	if (snapshot(m).tracing)
		return respond(c, MHD_HTTP_OK, "text/plain", "ok\n", 3);
	return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "not tracing\n", 12);
}

static enum MHD_Result on_request(void *ctx, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **request)
{
	struct pvm_metrics_server *m = ctx;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)request;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return refuse_method(c);
	if (!strcmp(url, "/metrics"))
		return serve_metrics(m, c);
	if (!strcmp(url, "/healthz"))
		return serve_health(m, c);
	return respond(c, MHD_HTTP_NOT_FOUND, "text/plain", "/metrics or /healthz\n", 21);
}

/*
 * Its thread takes no signal: SIGINT, SIGTERM and SIGHUP must interrupt the
 * main loop's wait, which they would not if this thread ran the handler.
 */
static struct MHD_Daemon *start_daemon(unsigned int flags, const struct pvm_metrics_address *at,
				       struct pvm_metrics_server *m)
{
	sigset_t all, before;
	struct MHD_Daemon *d;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &before);
	errno = 0;
	d = mhd.start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR,
			     (const struct sockaddr *)&at->addr, MHD_OPTION_CONNECTION_LIMIT,
			     (unsigned int)CONNECTIONS_MAX, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			     (unsigned int)CONNECTIONS_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
			     (unsigned int)IDLE_TIMEOUT_S, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	return d;
}

struct pvm_metrics_server *pvm_metrics_serve(const struct pvm_metrics_address *at,
					     const char *version, char *err, size_t err_len)
{
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;
	struct pvm_metrics_server *m;

	if (!load_mhd(err, err_len))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, err_len, "%s", strerror(errno));
		return NULL;
	}
	if (at->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m->version = version; /* /healthz: 503 until the first snapshot says tracing */
	pthread_mutex_init(&m->lock, NULL);
	m->daemon = start_daemon(flags, at, m);
	if (!m->daemon) {
		snprintf(err, err_len, "cannot listen: %s",
			 errno ? strerror(errno) : "libmicrohttpd refused");
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	return m;
}

void pvm_metrics_publish(struct pvm_metrics_server *m, const struct pvm_metrics_snapshot *s)
{
	pthread_mutex_lock(&m->lock);
	m->now = *s;
	pthread_mutex_unlock(&m->lock);
}

void pvm_metrics_stop(struct pvm_metrics_server *m)
{
	if (!m)
		return;
	mhd.stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
