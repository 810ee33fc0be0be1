// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event/ancestry.h"

#include <unistd.h>

#include "event/proc_target.h"

/* The exe of one ancestor, as the event shows it; false when it is gone. */
static bool read_one(const char *proc_root, __u32 pid, char out[PVM_EXE_DISPLAY_MAX],
		     __u32 *ppid)
{
	char path[PVM_EXE_PATH_MAX];
	struct pvm_exe exe = {0};
	struct pvm_proc_stat st;
	int dir = pvm_proc_open(proc_root, pid);
	bool ok;

	if (dir < 0)
		return false;
	pvm_proc_read_exe(dir, &exe, path);
	ok = pvm_proc_read_stat(dir, &st);
	*ppid = st.ppid;
	close(dir);
	pvm_exe_display(out, path, exe.path_len, exe.flags);
	return ok;
}

void pvm_ancestry_read(struct pvm_ancestry *a, const char *proc_root, __u32 ppid)
{
	__u32 pid = ppid;

	a->n = 0;
	while (pid > 0 && a->n < PVM_ANCESTRY_MAX) {
		__u32 parent;

		if (!read_one(proc_root, pid, a->exe[a->n], &parent))
			break;
		a->n++;
		if (pid == 1)
			break;
		pid = parent;
	}
}

void pvm_ancestry_lookup(struct pvm_ancestry_cache *c, struct pvm_event *ev, __u64 now_ns)
{
	const struct pvm_record *r = ev->rec;
	__typeof__(c->slot[0]) *s = &c->slot[r->caller_pid % PVM_ANCESTRY_CACHE];

	if (!s->read_ns || s->pid != r->caller_pid || s->start_boot_ns != r->caller_start_boot_ns ||
	    now_ns - s->read_ns >= PVM_ANCESTRY_TTL_NS) {
		pvm_ancestry_read(&s->ancestry, c->proc_root, r->caller_ppid);
		s->pid = r->caller_pid;
		s->start_boot_ns = r->caller_start_boot_ns;
		s->read_ns = now_ns ? now_ns : 1;
	}
	pvm_ancestry_attach(&s->ancestry, ev);
}

void pvm_ancestry_attach(const struct pvm_ancestry *a, struct pvm_event *ev)
{
	ev->looked_up_ancestors = true;
	ev->n_ancestors = a->n;
	for (unsigned int i = 0; i < a->n; i++)
		ev->caller_ancestors[i] = a->exe[i];
}
