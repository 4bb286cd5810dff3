"""The resource kinds the simulated API serves, with the discovery facts real clients rely on."""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
CLUSTER_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
RBAC_GROUP = "rbac.authorization.k8s.io"
RESOURCE_GROUP = "resource.k8s.io"


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()  # "status", "log", ...
    verbs: tuple[str, ...] = ALL_VERBS
    stored: bool = True  # False: create-only reviews, answered from a computation and never stored

    @property
    def key(self) -> str:
        """Unique store key, e.g. ``pods`` or ``daemonsets.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"


RESOURCES: tuple[ResourceType, ...] = (
    ResourceType("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",),
                 subresources=("status", "finalize"),
                 verbs=("create", "delete", "get", "list", "patch", "update", "watch")),
    ResourceType("", "v1", "Node", "nodes", "node", False, ("no",), subresources=("status",)),
    ResourceType("", "v1", "Pod", "pods", "pod", True, ("po",), ("all",),
                 subresources=("status", "log", "binding", "eviction")),
    ResourceType("", "v1", "Event", "events", "event", True, ("ev",)),
    ResourceType("", "v1", "Service", "services", "service", True, ("svc",), ("all",), ("status",),
                 verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")),
    ResourceType("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",)),
    ResourceType("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",)),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",),
                 subresources=("token",)),
    ResourceType("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", True,
                 ("pvc",), subresources=("status",)),
    ResourceType("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", False, ("pv",),
                 subresources=("status",)),
    ResourceType("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",), ("all",), ("status",)),
    ResourceType("batch", "v1", "Job", "jobs", "job", True, (), ("all",), ("status",)),
    ResourceType("batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), ("all",), ("status",)),
    ResourceType("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", False),
    ResourceType("coordination.k8s.io", "v1", "Lease", "leases", "lease", True),
    ResourceType("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", False, ("sc",)),
    # Stored and listed, never served as new kinds: kubectl lists CRDs to learn whether a kind the OpenAPI
    # paths do not patch (a review) is custom, before it validates such a manifest itself.
    ResourceType("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
                 "customresourcedefinition", False, ("crd", "crds"), ("api-extensions",), ("status",)),
    ResourceType(RBAC_GROUP, "v1", "ClusterRole", "clusterroles", "clusterrole", False),
    ResourceType(RBAC_GROUP, "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", False),
    ResourceType(RBAC_GROUP, "v1", "Role", "roles", "role", True),
    ResourceType(RBAC_GROUP, "v1", "RoleBinding", "rolebindings", "rolebinding", True),
    *(ResourceType("authorization.k8s.io", "v1", kind, kind.lower() + "s", kind.lower(), namespaced,
                   verbs=("create",), stored=False)
      for kind, namespaced in (("LocalSubjectAccessReview", True), ("SelfSubjectAccessReview", False),
                               ("SelfSubjectRulesReview", False), ("SubjectAccessReview", False))),
    ResourceType("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", "selfsubjectreview",
                 False, verbs=("create",), stored=False),
    # Dynamic Resource Allocation: always stored in the v1 shape; which versions a cluster serves (and the
    # conversion of v1beta1 at the HTTP boundary) is the API layer's business (api/served.py, api/versioning.py).
    ResourceType(RESOURCE_GROUP, "v1", "DeviceClass", "deviceclasses", "deviceclass", False),
    ResourceType(RESOURCE_GROUP, "v1", "ResourceSlice", "resourceslices", "resourceslice", False),
    ResourceType(RESOURCE_GROUP, "v1", "ResourceClaim", "resourceclaims", "resourceclaim", True,
                 subresources=("status",)),
    ResourceType(RESOURCE_GROUP, "v1", "ResourceClaimTemplate", "resourceclaimtemplates", "resourceclaimtemplate",
                 True),
)

_BY_KEY = {r.key: r for r in RESOURCES}


def by_key(key: str) -> ResourceType:
    return _BY_KEY[key]


def for_kind(api_version: str, kind: str) -> ResourceType | None:
    for r in RESOURCES:
        if r.api_version == api_version and r.kind == kind:
            return r
    return None


POD = by_key("pods")
NODE = by_key("nodes")
NAMESPACE = by_key("namespaces")
EVENT = by_key("events")
SERVICE = by_key("services")
ENDPOINTS = by_key("endpoints")
CONFIGMAP = by_key("configmaps")
SERVICEACCOUNT = by_key("serviceaccounts")
DAEMONSET = by_key("daemonsets.apps")
JOB = by_key("jobs.batch")
CRONJOB = by_key("cronjobs.batch")
RUNTIMECLASS = by_key("runtimeclasses.node.k8s.io")
LEASE = by_key("leases.coordination.k8s.io")
PVC = by_key("persistentvolumeclaims")
PV = by_key("persistentvolumes")
STORAGECLASS = by_key("storageclasses.storage.k8s.io")
CLUSTERROLE = by_key(f"clusterroles.{RBAC_GROUP}")
CLUSTERROLEBINDING = by_key(f"clusterrolebindings.{RBAC_GROUP}")
ROLE = by_key(f"roles.{RBAC_GROUP}")
ROLEBINDING = by_key(f"rolebindings.{RBAC_GROUP}")
DEVICECLASS = by_key(f"deviceclasses.{RESOURCE_GROUP}")
RESOURCESLICE = by_key(f"resourceslices.{RESOURCE_GROUP}")
RESOURCECLAIM = by_key(f"resourceclaims.{RESOURCE_GROUP}")
RESOURCECLAIMTEMPLATE = by_key(f"resourceclaimtemplates.{RESOURCE_GROUP}")
