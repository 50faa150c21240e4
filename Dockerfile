# dondoc serve in a container: the webhooks of the bots, /healthz, and the reminders.
# Build: docker build -t dondoc .   Run: see compose.yaml and README.md, "Deployment".
# Nothing secret is in the image: tokens and the database URL come from the environment (.env).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY dondoc ./dondoc
RUN pip install ".[postgres]" \
    && rm -rf /src \
    && useradd --system --uid 10001 --home-dir /var/lib/dondoc --create-home --shell /usr/sbin/nologin dondoc

# not root: the process can write only its own folder
USER dondoc
WORKDIR /var/lib/dondoc
ENV DONDOC_LOG_FORMAT=json
EXPOSE 8080

# /healthz answers 200 while the database answers (python: the slim image has no curl)
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

CMD ["dondoc", "serve", "--host", "0.0.0.0", "--port", "8080"]
