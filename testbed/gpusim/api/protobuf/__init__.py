"""Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``), decoded to JSON-shaped dicts.

kubectl's typed-client commands (``create namespace``, ``create job``, ...) send protobuf; a real
apiserver accepts it, so the sim decodes it into exactly what the same object sent as JSON would be.
"""

from .decode import decode_message, decode_object
from .wire import ProtobufError

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"

__all__ = ["MEDIA_TYPE", "ProtobufError", "decode_message", "decode_object"]
