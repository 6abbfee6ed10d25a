# syntax=docker/dockerfile:1
# Fremdrift: a two-stage, slim, non-root image. The runtime's Debian packages come from the
# same list and script that CI runs on a bare machine (.ci/apt-packages.txt, "runtime").

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY models models
COPY conversations conversations
COPY render render
RUN python -m venv /opt/fremdrift \
 && /opt/fremdrift/bin/pip install --no-cache-dir --disable-pip-version-check .

FROM python:3.11-slim-bookworm
COPY .ci/apt-packages.txt .ci/install-system.sh /tmp/ci/
RUN /tmp/ci/install-system.sh runtime && rm -rf /var/lib/apt/lists/* /tmp/ci \
 && useradd --system --create-home --uid 10001 fremdrift \
 && mkdir -p /app/data && chown fremdrift /app/data
COPY --from=build /opt/fremdrift /opt/fremdrift
COPY programmes /app/programmes
WORKDIR /app
USER fremdrift
ENV PATH=/opt/fremdrift/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FREMDRIFT_DATA_DIR=/app/data \
    FREMDRIFT_PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2).status != 200)"]
CMD ["fremdrift", "serve"]
