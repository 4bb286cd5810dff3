"""Python source for programs that run in simulated containers: the GPUs NVML lists there, as a program sees them
through ctypes (no pynvml in the container's environment is assumed)."""

NVML_UUIDS = '''
import ctypes


def nvml_uuids():
    """The UUIDs of the GPUs NVML lists in this container; None when libnvidia-ml.so.1 cannot be loaded."""
    try:
        nvml = ctypes.CDLL("libnvidia-ml.so.1")
    except OSError:
        return None
    count, uuid = ctypes.c_uint(), ctypes.create_string_buffer(96)
    nvml.nvmlInit_v2()
    nvml.nvmlDeviceGetCount_v2(ctypes.byref(count))
    uuids = []
    for i in range(count.value):
        handle = ctypes.c_void_p()
        nvml.nvmlDeviceGetHandleByIndex_v2(i, ctypes.byref(handle))
        nvml.nvmlDeviceGetUUID(handle, uuid, 96)
        uuids.append(uuid.value.decode())
    return uuids
'''
