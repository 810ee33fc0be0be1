/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * An executable's identity and path, walked once per exec'd file and kept
 * in a cache and in the thread's slot between calls.
 */
#ifndef PVMTRACE_EXE_BPF_H
#define PVMTRACE_EXE_BPF_H

#include "state.bpf.h"

/*
 * The executable paths wait between entry and exit after the payload area,
 * one PVM_EXE_SCRATCH area per side (layout.h); a path ends
 * at PVM_EXE_PATH_MAX in its area and is walked backwards from there.
 */
enum exe_side {
	EXE_CALLER = 0,
	EXE_TARGET = 1,
};

static __always_inline __u8 *exe_scratch(struct pvm_record *rec, enum exe_side side)
{
	__u32 off = PVM_SLOT_EXE_OFF(max_iov, capture_len, side);

	return (__u8 *)rec->iov + off;
}

#define EXE_PATH_DEPTH_MAX 64 /* components and mount crossings */

struct path_walk {
	__u8 *buf;		/* PVM_EXE_SCRATCH bytes */
	struct dentry *dentry;
	struct mount *mnt;
	__u32 pos;		/* the path so far is buf[pos, PVM_EXE_PATH_MAX) */
	bool done;		/* reached the root */
};

/* One step of d_path()'s walk: a component, or up out of a mount. */
static long path_walk_step(__u64 i, void *data)
{
	struct path_walk *w = data;
	struct dentry *dentry = w->dentry; /* our struct: no CO-RE on these reads */
	struct mount *mnt = w->mnt;
	struct dentry *parent;
	__u32 len;

	if (dentry == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt) { /* the root of its mount namespace */
			w->done = true;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == dentry) { /* a detached tree's root */
		w->done = true;
		return 1;
	}
	len = BPF_CORE_READ(dentry, d_name.len);
	if (len == 0 || len + 1 > w->pos)
		return 1; /* does not fit: the path keeps its tail */
	w->pos -= len + 1;
	w->buf[w->pos & (PVM_EXE_PATH_MAX - 1)] = '/';
	bpf_probe_read_kernel(w->buf + ((w->pos + 1) & (PVM_EXE_PATH_MAX - 1)),
			      len & (PVM_EXE_PATH_MAX - 1), BPF_CORE_READ(dentry, d_name.name));
	w->dentry = parent;
	return 0;
}

/*
 * Walked paths, by the open executable file (struct file, one per execve)
 * and its inode: a path is walked once per exec'd file, not once per call.
 * The value is the walk's scratch itself, the path ending at
 * PVM_EXE_PATH_MAX, then its length and flags. A file renamed while a
 * process still runs it keeps its old path here (the kernel's d_path()
 * would show the new one); its link count is read afresh on every call.
 */
struct exe_cache_key {
	__u64 file;
	__u64 ino;
};

struct exe_cache_value {
	__u8 path[PVM_EXE_PATH_MAX];	/* the path is the last `len` bytes */
	__u16 len;
	__u8 truncated;
	__u8 reserved[5];
};

/*
 * A side's scratch area, laid out as a cache value, and whose path it holds.
 * The slot, and so the scratch, outlives the call: a thread whose next call
 * has the same executable on that side (the same open file and inode) finds
 * the path in place, with no cache lookup and no copy. It is as current as
 * the cache's own entry for that key (see above).
 */
struct exe_scratch {
	struct exe_cache_value path;
	struct exe_cache_key holds;	/* zero in a new slot: no file */
};

_Static_assert(sizeof(struct exe_scratch) <= PVM_EXE_SCRATCH, "exe scratch in its area");

#define EXE_CACHE_ENTRIES 4096

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EXE_CACHE_ENTRIES);
	__type(key, struct exe_cache_key);
	__type(value, struct exe_cache_value);
} exe_cache SEC(".maps");

/* The walk, into the scratch laid out as a cache value, and its result cached. */
static __always_inline void walk_exe_path(struct file *file, struct exe_cache_key *key,
					  struct exe_cache_value *scratch)
{
	struct path_walk w = {.buf = scratch->path, .pos = PVM_EXE_PATH_MAX};
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);

	w.dentry = BPF_CORE_READ(file, f_path.dentry);
	w.mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	bpf_loop(EXE_PATH_DEPTH_MAX, path_walk_step, &w, 0);
	scratch->truncated = !w.done;
	scratch->len = PVM_EXE_PATH_MAX - w.pos;
	bpf_map_update_elem(&exe_cache, key, scratch, BPF_ANY);
}

/*
 * A cached walk into the scratch: only the path's own bytes, at the end of
 * the area, with one helper call, instead of the whole 264-byte value,
 * which clang copies in 132 two-byte moves (the struct is 2-aligned).
 */
static __always_inline void copy_cached_path(struct exe_cache_value *scratch,
					     const struct exe_cache_value *cached)
{
	__u32 len = cached->len;
	__u32 start;

	if (len > PVM_EXE_PATH_MAX)
		len = PVM_EXE_PATH_MAX; /* never: a walk keeps at most this much */
	/*
	 * The verifier takes a pointer plus a bounded offset, not minus a
	 * length; the mask only maps an empty path (start 256) to 0.
	 */
	start = PVM_EXE_PATH_MAX - len;
	asm volatile("" : "+r"(start), "+r"(len));
	start &= PVM_EXE_PATH_MAX - 1;
	len &= 2 * PVM_EXE_PATH_MAX - 1;
	bpf_probe_read_kernel(scratch->path + start, len, cached->path + start);
	scratch->len = len;
	scratch->truncated = cached->truncated;
}

/* mm->exe_file: identity, and its path into `buf` (see exe_scratch()). */
static __always_inline void read_exe(struct pvm_exe *exe, struct mm_struct *mm, __u8 *buf)
{
	struct exe_scratch *scratch = (void *)buf;
	struct exe_cache_value *cached;
	struct exe_cache_key key;
	struct inode *inode;
	struct file *file;

	__builtin_memset(exe, 0, sizeof(*exe));
	/* loaded, not read: typed pointers; a helper call per field costs more */
	file = mm ? mm->exe_file : 0;
	if (!file)
		return; /* a kernel thread, or an exiting process */
	inode = file->f_inode;
	exe->ino = inode->i_ino;
	exe->dev = inode->i_sb->s_dev;
	exe->flags = PVM_EXE_KNOWN;
	if (inode->i_nlink == 0)
		exe->flags |= PVM_EXE_DELETED;
	key.file = (__u64)file;
	key.ino = exe->ino;
	if (scratch->holds.file != key.file || scratch->holds.ino != key.ino) {
		cached = bpf_map_lookup_elem(&exe_cache, &key);
		if (cached)
			copy_cached_path(&scratch->path, cached);
		else
			walk_exe_path(file, &key, &scratch->path);
		scratch->holds = key;
	}
	if (scratch->path.truncated)
		exe->flags |= PVM_EXE_TRUNCATED;
	exe->path_len = scratch->path.len;
}

/*
 * At exit: the two paths go right after the payload, where the sample ends.
 * Returns the bytes appended.
 */
static __always_inline __u32 append_exe_paths(struct pvm_record *rec, __u32 data_off)
{
	__u32 caller_len = rec->caller_exe.path_len;
	__u32 target_len = rec->target.exe.path_len;
	__u32 captured = rec->data_captured;
	__u8 *at;

	/* each bound on its own, for the verifier; the layout has room for all */
	if (data_off > PVM_SLOT_DATA_OFF_MAX(max_iov) || captured > capture_len ||
	    caller_len > PVM_EXE_PATH_MAX || target_len > PVM_EXE_PATH_MAX)
		return 0;
	/*
	 * The masks change no value, but the v6.1 verifier loses the bounds
	 * checked above on the copies clang makes; the empty asm keeps clang
	 * from dropping a mask it can prove is a no-op.
	 */
	asm volatile("" : "+r"(caller_len), "+r"(target_len));
	caller_len &= 2 * PVM_EXE_PATH_MAX - 1;
	target_len &= 2 * PVM_EXE_PATH_MAX - 1;
	at = (__u8 *)rec->iov + data_off;
	at += captured;
	bpf_probe_read_kernel(at, caller_len,
			      exe_scratch(rec, EXE_CALLER) + PVM_EXE_PATH_MAX - caller_len);
	at += caller_len;
	bpf_probe_read_kernel(at, target_len,
			      exe_scratch(rec, EXE_TARGET) + PVM_EXE_PATH_MAX - target_len);
	return caller_len + target_len;
}

#endif /* PVMTRACE_EXE_BPF_H */
