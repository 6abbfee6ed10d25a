# syntax=docker/dockerfile:1
# Fremdrift: a two-stage, slim, non-root image, installed from uv.lock. The build stage takes
# the steps .ci/check-package.sh proves on a bare machine: uv (pinned, hashes checked), the
# locked dependencies with the demo extra (hashes checked), then the wheel built from the
# source. The runtime's Debian packages come from the same list and script that CI runs
# (.ci/apt-packages.txt, "runtime").

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY .ci/uv.txt .ci/uv.txt
RUN pip install --no-cache-dir --disable-pip-version-check --require-hashes -r .ci/uv.txt
# The dependencies first, from the lock alone, so this layer changes only with uv.lock.
COPY pyproject.toml uv.lock ./
RUN uv export --quiet --frozen --extra demo --no-emit-project -o /tmp/requirements.txt \
 && python -m venv /opt/fremdrift \
 && uv pip install --no-cache --python /opt/fremdrift/bin/python --require-hashes \
      -r /tmp/requirements.txt
COPY README.md LICENSE ./
COPY conversations conversations
COPY reporting reporting
COPY models models
COPY render render
COPY service service
COPY bot bot
COPY standins standins
COPY programmes programmes
RUN uv build --no-cache --wheel --out-dir /tmp/dist . \
 && uv pip install --no-cache --python /opt/fremdrift/bin/python --no-deps /tmp/dist/*.whl

FROM python:3.11-slim-bookworm
COPY .ci/apt-packages.txt .ci/install-system.sh /tmp/ci/
RUN /tmp/ci/install-system.sh runtime && rm -rf /var/lib/apt/lists/* /tmp/ci \
 && useradd --system --create-home --uid 10001 fremdrift \
 && mkdir -p /app/data && chown fremdrift /app/data
COPY --from=build /opt/fremdrift /opt/fremdrift
WORKDIR /app
USER fremdrift
ENV PATH=/opt/fremdrift/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FREMDRIFT_DATA_DIR=/app/data \
    FREMDRIFT_PORT=3000
EXPOSE 3000
# Healthy when serve can do its work (/readyz: the database answers, the job worker runs,
# Socket Mode is connected when configured); a 503 or no answer is unhealthy. The port is
# FREMDRIFT_PORT's, so a container run with another one is looked at where it listens.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('FREMDRIFT_PORT', '3000'), timeout=2).status != 200)"]
CMD ["fremdrift", "serve"]
