# The gpu-conformance image: the suite (`gpu-conformance run`, the CronJob's command) and the node probe
# (`gpu-conformance probe`, which the suite's privileged probe pods run as root on each GPU node), and
# `gpu-conformance sees`, which the isolation pods run unprivileged to show what a container sees of the GPUs.
# Build from the repository root (docs/in-cluster.md, "The image"):
#   docker build -t ghcr.io/gpu-conformance/gpu-conformance:0.1.0 .
# Reproducible builds pin the base by digest:
#   --build-arg PYTHON_IMAGE=python:3.12-slim-trixie@sha256:<digest of `docker buildx imagetools inspect ...`>
# Any Debian trixie with python3 and python3-venv serves as the base too (tests/deploy/test_image.py builds it
# from an mmdebstrap tarball): the project lives in a venv of its own, so Debian's externally managed python3
# (PEP 668) is never pip-installed into, and trixie's nodejs is the Node.js >= 20 Allure 3 needs.
ARG PYTHON_IMAGE=python:3.12-slim-trixie

# The wheel, built from the checkout: the package with the suite and the monitoring assets inside it
# (setup.py copies them in), and nothing of the test bed.
FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md conftest.py ./
COPY gpu_conformance/ gpu_conformance/
COPY fixtures/ fixtures/
COPY conformance/ conformance/
COPY monitoring/ monitoring/
RUN python3 -m venv /opt/build \
    && /opt/build/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}

# Allure 3 for the HTML report (the version gpu_conformance/reporting/allure_cli.py pins).
ARG ALLURE_VERSION=3.18.0

# promtool (Debian's promtool package, without the prometheus server) runs the rule checks; Node.js >= 20 runs
# Allure 3. npm is needed only to install Allure: it goes again with its ~150 MB of node-* packages, and apt's
# downloads go too (the python image's apt config drops them by itself, a plain Debian base keeps them).
RUN apt-get update \
    && apt-get install -y --no-install-recommends promtool nodejs npm \
    && npm install --prefix /opt/allure --no-audit --no-fund --no-update-notifier --save-exact "allure@${ALLURE_VERSION}" \
    && npm cache clean --force \
    && apt-get purge -y --auto-remove npm \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

# The product as any user installs it: the wheel (byte-compiled by pip) into a venv on PATH, no source tree.
COPY --from=wheel /wheels/ /tmp/wheels/
RUN python3 -m venv /opt/gpu-conformance \
    && /opt/gpu-conformance/bin/pip install --no-cache-dir /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && mkdir /reports && chown 65532:65532 /reports

ENV PATH=/opt/gpu-conformance/bin:$PATH \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    GPU_CONFORMANCE_ALLURE=/opt/allure/node_modules/.bin/allure \
    GPU_CONFORMANCE_RESULTS_DIR=/reports

# What every CUDA image sets (NVIDIA's cuda base images do), so that this image is "a CUDA image" to the
# NVIDIA container runtime: where the node accepts NVIDIA_VISIBLE_DEVICES from unprivileged containers (the
# toolkit's default) a pod of it gets every GPU without asking for one. SEC-NO-REQUEST-NO-GPU runs this image
# without a GPU request to find exactly that leak. Every other pod of the project (probe pods, the CronJob's
# runner) opts out with NVIDIA_VISIBLE_DEVICES=void: no GPU injected, no hook run against a broken driver.
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

# Non-root; the probe pods ask for root themselves (runAsUser: 0), as they read root-only host files.
USER 65532:65532
ENTRYPOINT ["gpu-conformance"]
CMD ["run", "--report"]
