// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Container ids from cgroup paths as runtimes write them, and host paths. */
#include "event/container.h"
#include "unit.h"

#define ID_A "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define ID_B "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22"
#define ID_C "17d8c9eacc629f9945f304d89e9708c0c619649a484a215b240628319548a09f"
#define ID_UPPER "7951FB549AB99E0722A949B6C121634E1F3A36B5BACBE5392991E3B12251E6B8"
#define POD_UID "podac04f3f2-1f2c-11e9-b015-1ebee232acfa"
#define POD_SLICE "kubepods-besteffort-pod63b3ebfc_2890_11e9_8154_16bf8ef8d9dc.slice"

static void check_id(const char *path, const char *want, int line)
{
	char id[PVM_CONTAINER_ID_LEN + 1] = "garbage";
	bool found = pvm_container_id(path, id);

	if (want && (!found || strcmp(id, want)))
		unit_fail(__FILE__, line, "%s:\n    got  %s\n    want %s", path,
			  found ? id : "(none)", want);
	if (!want && (found || id[0]))
		unit_fail(__FILE__, line, "%s: host path, got id %s", path, id);
}

UNIT_TEST(container_runtimes_table)
{
	static const struct {
		const char *path;
		const char *want;
	} cases[] = {
		/* docker, systemd driver (cgroup v2 and v1) */
		{"/system.slice/docker-" ID_A ".scope", ID_A},
		{"/docker.slice/docker-" ID_A ".scope", ID_A},
		/* docker, cgroupfs driver */
		{"/docker/" ID_A, ID_A},
		{"/actions_job/" ID_A, ID_A},
		/* containerd CRI, systemd driver */
		{"/kubepods.slice/kubepods-besteffort.slice/" POD_SLICE "/cri-containerd-" ID_C
		 ".scope",
		 ID_C},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" "bd12dd33_9322"
		 ".slice/cri-containerd-" ID_B ".scope",
		 ID_B},
		/* containerd CRI, cgroupfs driver: the bare id below pod<uid> */
		{"/kubepods/besteffort/" POD_UID "/" ID_B, ID_B},
		{"/kubepods/burstable/" POD_UID "/" ID_B, ID_B},
		{"/kubepods/" POD_UID "/" ID_B, ID_B}, /* guaranteed QoS */
		/* containerd without SystemdCgroup, cgroup v1 */
		{"/kubepods-burstable-podbd12dd3393227d950605a2444b13c27a.slice:cri-containerd:" ID_A,
		 ID_A},
		/* CRI-O, systemd and cgroupfs drivers */
		{"/kubepods.slice/kubepods-besteffort.slice/" POD_SLICE "/crio-" ID_C ".scope", ID_C},
		{"/kubepods.slice/kubepods-besteffort.slice/" POD_SLICE "/crio-" ID_C
		 ".scope/container",
		 ID_C},
		{"/kubepods/besteffort/" POD_UID "/crio-" ID_C, ID_C},
		/* podman: root, rootless, inner cgroup, split, cgroupfs */
		{"/machine.slice/libpod-" ID_A ".scope", ID_A},
		{"/machine.slice/libpod-" ID_A ".scope/container", ID_A},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_A ".scope",
		 ID_A},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_A
		 ".scope/container",
		 ID_A},
		{"/machine.slice/libpod-payload-" ID_A ".scope", ID_A},
		{"/libpod_parent/libpod-" ID_A, ID_A},
		/* nested: the innermost container wins */
		{"/system.slice/docker-" ID_A ".scope/kubelet.slice/kubelet-kubepods.slice/"
		 "kubelet-kubepods-besteffort.slice/cri-containerd-" ID_B ".scope",
		 ID_B},
		{"/docker/" ID_A "/kubepods/besteffort/" POD_UID "/" ID_B, ID_B},
		{"/docker/" ID_A "/docker/" ID_C, ID_C},
		{"/docker/" ID_A "/system.slice/sshd.service", ID_A}, /* a host-like path inside */
		{"/docker/" ID_A "/", ID_A},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_id(cases[i].path, cases[i].want, __LINE__);
}

UNIT_TEST(container_not_a_container_table)
{
	static const char *const host[] = {
		"/",
		"",
		"/init.scope",
		"/user.slice/user-1000.slice/session-3.scope",
		"/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service",
		"/system.slice/sshd.service",
		"/system.slice/docker.service",
		"/system.slice/containerd.service",
		"/kubepods.slice/kubepods-besteffort.slice/" POD_SLICE,
		/* the conmon monitor beside a container is not the container */
		"/machine.slice/libpod-conmon-" ID_A ".scope",
		"/kubepods.slice/kubepods-besteffort.slice/" POD_SLICE "/crio-conmon-" ID_C ".scope",
		/* a bare id with no docker or kubepods parent */
		"/" ID_A,
		"/system.slice/" ID_A,
		"/pod1234/" ID_A,
		/* not exactly 64 lowercase hex digits */
		"/system.slice/docker-" ID_UPPER ".scope",
		"/docker/" ID_UPPER,
		"/system.slice/docker-" "7951fb549ab9" ".scope",
		"/system.slice/docker-" ID_A "0.scope",
		"/system.slice/docker-" ID_A ".mount",
		"/system.slice/docker-" ID_A ".scope.scope",
		"/system.slice/docker-g951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
		".scope",
		"/system.slice/podman-" ID_A ".scope",
		"/docker/" ID_A ".scope",
	};

	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		check_id(host[i], NULL, __LINE__);
}
