"""core/v1 volume sources a pod may declare (core/v1/generated.proto).

Cloud and legacy in-tree sources (gcePersistentDisk, rbd, cinder, ...) are left out: their field
numbers are skipped like any unknown field.
"""

from __future__ import annotations

from .schema import Message, b, inline, m, n, q, qmap, rm, rs, s, smap

CORE_VOLUME: dict[str, Message] = {
    "Volume": {1: s("name", keep=True), 2: inline("VolumeSource")},
    "VolumeSource": {
        1: m("hostPath", "HostPathVolumeSource"), 2: m("emptyDir", "EmptyDirVolumeSource"),
        5: m("gitRepo", "GitRepoVolumeSource"), 6: m("secret", "SecretVolumeSource"),
        7: m("nfs", "NFSVolumeSource"), 10: m("persistentVolumeClaim", "PersistentVolumeClaimVolumeSource"),
        16: m("downwardAPI", "DownwardAPIVolumeSource"), 19: m("configMap", "ConfigMapVolumeSource"),
        26: m("projected", "ProjectedVolumeSource"), 28: m("csi", "CSIVolumeSource"),
        29: m("ephemeral", "EphemeralVolumeSource"), 30: m("image", "ImageVolumeSource"),
    },
    "HostPathVolumeSource": {1: s("path", keep=True), 2: s("type", keep=True)},
    "EmptyDirVolumeSource": {1: s("medium"), 2: q("sizeLimit")},
    "GitRepoVolumeSource": {1: s("repository", keep=True), 2: s("revision"), 3: s("directory")},
    "SecretVolumeSource": {
        1: s("secretName"), 2: rm("items", "KeyToPath"), 3: n("defaultMode", keep=True),
        4: b("optional", keep=True),
    },
    "ConfigMapVolumeSource": {
        1: inline("LocalObjectReference"), 2: rm("items", "KeyToPath"), 3: n("defaultMode", keep=True),
        4: b("optional", keep=True),
    },
    "KeyToPath": {1: s("key", keep=True), 2: s("path", keep=True), 3: n("mode", keep=True)},
    "NFSVolumeSource": {1: s("server", keep=True), 2: s("path", keep=True), 3: b("readOnly")},
    "PersistentVolumeClaimVolumeSource": {1: s("claimName", keep=True), 2: b("readOnly")},
    "DownwardAPIVolumeSource": {1: rm("items", "DownwardAPIVolumeFile"), 2: n("defaultMode", keep=True)},
    "DownwardAPIVolumeFile": {
        1: s("path", keep=True), 2: m("fieldRef", "ObjectFieldSelector"),
        3: m("resourceFieldRef", "ResourceFieldSelector"), 4: n("mode", keep=True),
    },
    "ProjectedVolumeSource": {1: rm("sources", "VolumeProjection"), 2: n("defaultMode", keep=True)},
    "VolumeProjection": {
        1: m("secret", "SecretProjection"), 2: m("downwardAPI", "DownwardAPIProjection"),
        3: m("configMap", "ConfigMapProjection"),
        4: m("serviceAccountToken", "ServiceAccountTokenProjection"),
        5: m("clusterTrustBundle", "ClusterTrustBundleProjection"),
    },
    "SecretProjection": {
        1: inline("LocalObjectReference"), 2: rm("items", "KeyToPath"),
        4: b("optional", keep=True),
    },
    "ConfigMapProjection": {
        1: inline("LocalObjectReference"), 2: rm("items", "KeyToPath"), 4: b("optional", keep=True),
    },
    "DownwardAPIProjection": {1: rm("items", "DownwardAPIVolumeFile")},
    "ServiceAccountTokenProjection": {
        1: s("audience"), 2: n("expirationSeconds", keep=True),
        3: s("path", keep=True),
    },
    "ClusterTrustBundleProjection": {
        1: s("name", keep=True), 2: s("signerName", keep=True), 3: m("labelSelector", "LabelSelector"),
        5: b("optional", keep=True), 4: s("path", keep=True),
    },
    "CSIVolumeSource": {
        1: s("driver", keep=True), 2: b("readOnly", keep=True), 3: s("fsType", keep=True),
        4: smap("volumeAttributes"), 5: m("nodePublishSecretRef", "LocalObjectReference"),
    },
    "EphemeralVolumeSource": {1: m("volumeClaimTemplate", "PersistentVolumeClaimTemplate")},
    "PersistentVolumeClaimTemplate": {
        1: m("metadata", "ObjectMeta"),
        2: m("spec", "PersistentVolumeClaimSpec"),
    },
    "PersistentVolumeClaimSpec": {
        1: rs("accessModes"), 4: m("selector", "LabelSelector"),
        2: m("resources", "VolumeResourceRequirements"),
        3: s("volumeName"), 5: s("storageClassName", keep=True), 6: s("volumeMode", keep=True),
        7: m("dataSource", "TypedLocalObjectReference"), 8: m("dataSourceRef", "TypedObjectReference"),
        9: s("volumeAttributesClassName", keep=True),
    },
    "VolumeResourceRequirements": {1: qmap("limits"), 2: qmap("requests")},
    "TypedLocalObjectReference": {
        1: s("apiGroup", keep=True), 2: s("kind", keep=True),
        3: s("name", keep=True),
    },
    "TypedObjectReference": {
        1: s("apiGroup", keep=True), 2: s("kind", keep=True), 3: s("name", keep=True),
        4: s("namespace", keep=True),
    },
    "ImageVolumeSource": {1: s("reference"), 2: s("pullPolicy")},
}
