// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where the forms come from:
 *
 * - runc's systemd driver names a container's unit "<ScopePrefix>-<id>.scope"
 *   (libcontainer/cgroups/systemd, getUnitName()); the runtimes pass
 *   "docker" (dockerd), "cri-containerd" (containerd's CRI plugin), "crio"
 *   (CRI-O) and "libpod" (podman). Their cgroupfs drivers use the same name
 *   without ".scope" (CRI-O: /kubepods/<qos>/pod<uid>/crio-<id>) or the bare id
 *   (dockerd: /docker/<id>; kubelet with containerd:
 *   /kubepods/<qos>/pod<uid>/<id>).
 * - Falco, falcosecurity/libs userspace/libsinsp/runc.cpp and the layouts of
 *   container_engine/{docker,cri,podman}: "/docker-" ".scope", "/crio-" with
 *   and without ".scope", "/cri-containerd-" ".scope", ":cri-containerd:"
 *   (containerd without SystemdCgroup, cgroup v1), "/libpod-" with ".scope",
 *   ".scope/container" (podman's inner cgroup) or nothing, and
 *   "/libpod-payload-" (podman --cgroups=split).
 * - Tracee, aquasecurity/tracee pkg/containers/containers.go,
 *   getContainerIdFromCgroup(): scan from the last component, the prefixes
 *   above after trimming ".scope", else a bare ^[A-Fa-f0-9]{64}$ whose parent
 *   is "docker", "actions_job" (GitHub Actions) or "pod..." (kubepods).
 * - Not containers: the conmon monitor beside each container, in
 *   "libpod-conmon-<id>.scope" (podman, libpod/oci_conmon_linux.go:
 *   createUnitName("libpod-conmon", id)) or "crio-conmon-<id>.scope" (CRI-O);
 *   nor a unit of another type named after a container ("<id>.mount"). None is
 *   a prefix, exactly 64 hex digits and an optional ".scope", so none matches.
 *
 * Stricter than both: exactly 64 lowercase hex digits (what runc-style
 * runtimes generate; Falco also takes shorter ids), and a bare id only below
 * a docker or kubepods parent (Falco's "/" layout takes any short last
 * component that is not a .scope, .slice or .service).
 */
#include "event/container.h"

#include <string.h>

struct component {
	const char *s;
	size_t len;
};

/* <prefix><id>[.scope] */
static const char *const id_prefixes[] = {
	"docker-", "cri-containerd-", "crio-", "libpod-", "libpod-payload-",
};

#define SCOPE_SUFFIX ".scope"
#define CRI_CONTAINERD_INFIX ":cri-containerd:" /* <slice>:cri-containerd:<id> */

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_id(const char *s, size_t len)
{
	if (len != PVM_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

static bool starts_with(struct component c, const char *prefix)
{
	size_t n = strlen(prefix);

	return c.len >= n && !memcmp(c.s, prefix, n);
}

static bool equals(struct component c, const char *name)
{
	return c.len == strlen(name) && !memcmp(c.s, name, c.len);
}

static struct component without_scope(struct component c)
{
	size_t n = sizeof(SCOPE_SUFFIX) - 1;

	if (c.len > n && !memcmp(c.s + c.len - n, SCOPE_SUFFIX, n))
		c.len -= n;
	return c;
}

/* The id after the last ":cri-containerd:" of the component, or NULL. */
static const char *cri_containerd_id(struct component c)
{
	size_t n = sizeof(CRI_CONTAINERD_INFIX) - 1;

	if (c.len < n + PVM_CONTAINER_ID_LEN)
		return NULL;
	if (memcmp(c.s + c.len - PVM_CONTAINER_ID_LEN - n, CRI_CONTAINERD_INFIX, n))
		return NULL;
	return is_id(c.s + c.len - PVM_CONTAINER_ID_LEN, PVM_CONTAINER_ID_LEN)
		       ? c.s + c.len - PVM_CONTAINER_ID_LEN
		       : NULL;
}

static const char *prefixed_id(struct component c)
{
	struct component body = without_scope(c);

	for (size_t i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		size_t n = strlen(id_prefixes[i]);

		if (starts_with(body, id_prefixes[i]) && is_id(body.s + n, body.len - n))
			return body.s + n;
	}
	return cri_containerd_id(c);
}

static bool bare_id_parent(struct component parent, bool below_kubepods)
{
	return equals(parent, "docker") || equals(parent, "actions_job") ||
	       (below_kubepods && starts_with(parent, "pod"));
}

static const char *component_id(struct component c, struct component parent,
				bool below_kubepods)
{
	const char *id = prefixed_id(c);

	if (id)
		return id;
	if (is_id(c.s, c.len) && bare_id_parent(parent, below_kubepods))
		return c.s;
	return NULL;
}

/* The component starting at *p (after any '/'), advancing *p past it. */
static struct component next_component(const char **p)
{
	struct component c;

	while (**p == '/')
		(*p)++;
	c.s = *p;
	c.len = strcspn(*p, "/");
	*p += c.len;
	return c;
}

bool pvm_container_id(const char *cgroup_path, char id[PVM_CONTAINER_ID_LEN + 1])
{
	struct component c, parent = {"", 0};
	const char *p = cgroup_path, *found = NULL, *cur;
	bool below_kubepods = false;

	while ((c = next_component(&p)).len) {
		cur = component_id(c, parent, below_kubepods);
		if (cur)
			found = cur; /* the last one is the innermost container */
		below_kubepods = below_kubepods || starts_with(c, "kubepods");
		parent = c;
	}
	id[0] = '\0';
	if (!found)
		return false;
	memcpy(id, found, PVM_CONTAINER_ID_LEN);
	id[PVM_CONTAINER_ID_LEN] = '\0';
	return true;
}
