/*
 * A stand-in libnvidia-ml.so.1 for simulated GPU nodes: the NVML entry points nvidia-ml-py calls,
 * with NVML's real signatures, return codes and error strings.
 *
 * Its "driver" is a data file in the node's host root, found from the library's own path
 * (<root>/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1 -> <root>/run/nvidia-sim/nvml.conf), so one
 * build serves every node. The file holds key=value lines:
 *
 *   driver_version=535.104.05
 *   cuda_driver_version=12020
 *   gpu=<index>|<uuid>|<memory total bytes>|<name>
 *   fabric=<nvmlGpuFabricState_t>|<status, an nvmlReturn_t>
 *   devices=revoked
 *
 * devices=revoked is a container whose device cgroup lost the GPUs (a systemd daemon-reload, gpusim/cgroup_trap.py):
 * nvmlInit fails with NVML_ERROR_UNKNOWN ("Failed to initialize NVML: Unknown Error", as users see it there).
 * fabric= is every GPU's NVLink fabric state (Hopper and later answer nvmlDeviceGetGpuFabricInfo; without the
 * line the GPUs are older and the call is NVML_ERROR_NOT_SUPPORTED).
 *
 * No data file, or no driver_version in it, is a host without the kernel module: nvmlInit returns
 * NVML_ERROR_DRIVER_NOT_LOADED. A malformed file gives NVML_ERROR_UNKNOWN.
 *
 * Like the real library, one process sees one host: glibc loads a library once per soname.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define NVML_ERROR_UNKNOWN 999

#define MAX_GPUS 64
#define FIELD 96
#define DATA_FILE "/run/nvidia-sim/nvml.conf"

typedef struct nvmlDevice_st {
    unsigned int index;
    char uuid[FIELD];
    unsigned long long memory_total;
    char name[FIELD];
} *nvmlDevice_t;

typedef struct {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

typedef struct {
    unsigned int version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_v2_t;

#define NVML_STRUCT_VERSION(size, ver) ((unsigned int)(size) | ((ver) << 24U))
#define nvmlMemory_v2 NVML_STRUCT_VERSION(sizeof(nvmlMemory_v2_t), 2)

/* nvml.h (R535+): the GPU's place in an NVLink fabric; state NVML_GPU_FABRIC_STATE_NOT_SUPPORTED (0),
 * _NOT_STARTED (1), _IN_PROGRESS (2), _COMPLETED (3); status is valid once completed. */
#define NVML_GPU_FABRIC_UUID_LEN 16
typedef struct {
    unsigned char clusterUuid[NVML_GPU_FABRIC_UUID_LEN];
    nvmlReturn_t status;
    unsigned int cliqueId;
    unsigned int state;
} nvmlGpuFabricInfo_t;

typedef struct {
    unsigned int version;
    unsigned char clusterUuid[NVML_GPU_FABRIC_UUID_LEN];
    nvmlReturn_t status;
    unsigned int cliqueId;
    unsigned int state;
    unsigned int healthMask;
} nvmlGpuFabricInfo_v2_t;

#define nvmlGpuFabricInfo_v2 NVML_STRUCT_VERSION(sizeof(nvmlGpuFabricInfo_v2_t), 2)

struct host_state {
    char driver[FIELD];
    int cuda;
    int fabric_supported;
    unsigned int fabric_state;
    nvmlReturn_t fabric_status;
    unsigned int count;
    struct nvmlDevice_st gpus[MAX_GPUS];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int init_count;
static struct host_state host;

static const char *const lib_dirs[] = {
    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
    "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/lib64", "/lib",
};

/* <root>/run/nvidia-sim/nvml.conf, where <root> is this library's folder minus its library dir. */
static int data_file_path(char *out, size_t size)
{
    Dl_info info;
    if (!dladdr((void *)data_file_path, &info) || info.dli_fname == NULL)
        return -1;
    char folder[4096];
    snprintf(folder, sizeof folder, "%s", info.dli_fname);
    char *slash = strrchr(folder, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    size_t length = strlen(folder);
    for (size_t i = 0; i < sizeof lib_dirs / sizeof lib_dirs[0]; i++) {
        size_t suffix = strlen(lib_dirs[i]);
        if (length >= suffix && strcmp(folder + length - suffix, lib_dirs[i]) == 0) {
            folder[length - suffix] = '\0';
            break;
        }
    }
    int written = snprintf(out, size, "%s%s", folder, DATA_FILE);
    return written > 0 && (size_t)written < size ? 0 : -1;
}

static int copy_field(char *to, const char *from)
{
    if (strlen(from) >= FIELD)
        return -1;
    strcpy(to, from);
    return 0;
}

/* gpu=<index>|<uuid>|<memory bytes>|<name>; GPUs are listed in index order. */
static int parse_gpu(char *value, unsigned int expected_index, struct nvmlDevice_st *gpu)
{
    char *fields[4];
    for (int i = 0; i < 3; i++) {
        fields[i] = value;
        value = strchr(value, '|');
        if (value == NULL)
            return -1;
        *value++ = '\0';
    }
    fields[3] = value;
    char *end;
    gpu->index = (unsigned int)strtoul(fields[0], &end, 10);
    if (*end != '\0' || fields[0][0] == '\0' || gpu->index != expected_index)
        return -1;
    gpu->memory_total = strtoull(fields[2], &end, 10);
    if (*end != '\0' || fields[2][0] == '\0')
        return -1;
    return copy_field(gpu->uuid, fields[1]) || copy_field(gpu->name, fields[3]);
}

static nvmlReturn_t load_host(struct host_state *state)
{
    char path[4200];
    if (data_file_path(path, sizeof path) != 0)
        return NVML_ERROR_DRIVER_NOT_LOADED;
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return NVML_ERROR_DRIVER_NOT_LOADED;
    memset(state, 0, sizeof *state);
    char line[512];
    nvmlReturn_t result = NVML_SUCCESS;
    while (result == NVML_SUCCESS && fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *value = strchr(line, '=');
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (value == NULL) {
            result = NVML_ERROR_UNKNOWN;
            break;
        }
        *value++ = '\0';
        if (strcmp(line, "driver_version") == 0) {
            if (copy_field(state->driver, value) != 0)
                result = NVML_ERROR_UNKNOWN;
        } else if (strcmp(line, "cuda_driver_version") == 0) {
            state->cuda = atoi(value);
        } else if (strcmp(line, "devices") == 0 && strcmp(value, "revoked") == 0) {
            result = NVML_ERROR_UNKNOWN;
        } else if (strcmp(line, "fabric") == 0) {
            if (sscanf(value, "%u|%d", &state->fabric_state, &state->fabric_status) != 2 || state->fabric_state > 3)
                result = NVML_ERROR_UNKNOWN;
            else
                state->fabric_supported = 1;
        } else if (strcmp(line, "gpu") == 0) {
            if (state->count >= MAX_GPUS || parse_gpu(value, state->count, &state->gpus[state->count]) != 0)
                result = NVML_ERROR_UNKNOWN;
            else
                state->count++;
        }
    }
    fclose(file);
    if (result == NVML_SUCCESS && state->driver[0] == '\0')
        result = NVML_ERROR_DRIVER_NOT_LOADED;
    return result;
}

static int initialized(void)
{
    pthread_mutex_lock(&lock);
    int yes = init_count > 0;
    pthread_mutex_unlock(&lock);
    return yes;
}

static nvmlReturn_t copy_string(char *out, unsigned int length, const char *value)
{
    if (out == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(value) + 1 > length)
        return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(out, value);
    return NVML_SUCCESS;
}

static int valid_device(nvmlDevice_t device)
{
    return device != NULL && device >= host.gpus && device < host.gpus + host.count;
}

nvmlReturn_t nvmlInitWithFlags(unsigned int flags)
{
    (void)flags;
    pthread_mutex_lock(&lock);
    nvmlReturn_t result = NVML_SUCCESS;
    if (init_count == 0)
        result = load_host(&host);
    if (result == NVML_SUCCESS)
        init_count++;
    pthread_mutex_unlock(&lock);
    return result;
}

nvmlReturn_t nvmlInit_v2(void) { return nvmlInitWithFlags(0); }
nvmlReturn_t nvmlInit(void) { return nvmlInitWithFlags(0); }

nvmlReturn_t nvmlShutdown(void)
{
    pthread_mutex_lock(&lock);
    nvmlReturn_t result = init_count == 0 ? NVML_ERROR_UNINITIALIZED : NVML_SUCCESS;
    if (init_count > 0)
        init_count--;
    pthread_mutex_unlock(&lock);
    return result;
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 5: return "Already Initialized";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 8: return "Insufficient External Power";
    case 9: return "Driver Not Loaded";
    case 10: return "Timeout";
    case 11: return "Interrupt Request Issue";
    case 12: return "NVML Shared Library Not Found";
    case 13: return "Function Not Found";
    case 14: return "Corrupted infoROM";
    case 15: return "GPU is lost";
    case 16: return "GPU requires restart";
    case 17: return "The operating system has blocked the request.";
    case 18: return "RM has detected an NVML/RM version mismatch.";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    return copy_string(version, length, host.driver);
}

/* The library's own version, "<CUDA major>.<driver>" (12.535.104.05). */
nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    char text[2 * FIELD];
    snprintf(text, sizeof text, "%d.%s", host.cuda / 1000, host.driver);
    return copy_string(version, length, text);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *cudaDriverVersion)
{
    if (cudaDriverVersion == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    *cudaDriverVersion = host.cuda;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *cudaDriverVersion)
{
    return nvmlSystemGetCudaDriverVersion(cudaDriverVersion);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    if (deviceCount == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    *deviceCount = host.count;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    if (device == NULL || index >= host.count)
        return NVML_ERROR_INVALID_ARGUMENT;
    *device = &host.gpus[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    if (!valid_device(device))
        return NVML_ERROR_INVALID_ARGUMENT;
    return copy_string(name, length, device->name);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    if (!valid_device(device))
        return NVML_ERROR_INVALID_ARGUMENT;
    return copy_string(uuid, length, device->uuid);
}

/* An idle GPU: nothing used, as the simulated nvidia-smi shows (0MiB). */
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    if (!valid_device(device) || memory == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    memory->total = device->memory_total;
    memory->free = device->memory_total;
    memory->used = 0;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    if (!valid_device(device) || memory == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (memory->version != nvmlMemory_v2)
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    memory->total = device->memory_total;
    memory->reserved = 0;
    memory->free = device->memory_total;
    memory->used = 0;
    return NVML_SUCCESS;
}

static nvmlReturn_t fabric_info(nvmlDevice_t device, nvmlReturn_t *status, unsigned int *state)
{
    if (!initialized())
        return NVML_ERROR_UNINITIALIZED;
    if (!valid_device(device))
        return NVML_ERROR_INVALID_ARGUMENT;
    if (!host.fabric_supported)
        return NVML_ERROR_NOT_SUPPORTED;
    *state = host.fabric_state;
    *status = host.fabric_status;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetGpuFabricInfo(nvmlDevice_t device, nvmlGpuFabricInfo_t *info)
{
    if (info == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    memset(info, 0, sizeof *info);
    return fabric_info(device, &info->status, &info->state);
}

nvmlReturn_t nvmlDeviceGetGpuFabricInfoV(nvmlDevice_t device, nvmlGpuFabricInfo_v2_t *info)
{
    if (info == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    if (info->version != nvmlGpuFabricInfo_v2)
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    memset(info->clusterUuid, 0, sizeof info->clusterUuid);
    info->cliqueId = 0;
    info->healthMask = 0;
    return fabric_info(device, &info->status, &info->state);
}
