# Dialogbot: one bot process (Telegram and/or Slack, reminders), run as an unprivileged user.
# Build: docker build -t dialogbot .     Run with PostgreSQL: docker compose up (see compose.yaml).
# The base: Python 3.11 on Debian. Where no registry can be reached, a local image with the same
# layout stands in: --build-arg PYTHON_IMAGE=… (deploy/verify_container.py builds one with debootstrap).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
# The same pins as development and CI: constraints.txt is the only source of versions.
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY bot ./bot
COPY facilitation ./facilitation
COPY storage ./storage
COPY config ./config
RUN python -m venv /opt/dialogbot \
 && /opt/dialogbot/bin/pip install --no-cache-dir --upgrade "pip>=24" \
 && /opt/dialogbot/bin/pip install --no-cache-dir -c constraints.txt . \
 && /opt/dialogbot/bin/pip check

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 dialogbot \
 && useradd --system --uid 10001 --gid dialogbot --home-dir /var/lib/dialogbot --create-home \
            --shell /usr/sbin/nologin dialogbot \
 && chmod 700 /var/lib/dialogbot
COPY --from=build /opt/dialogbot /opt/dialogbot
ENV PATH=/opt/dialogbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    DIALOGBOT_DATA_DIR=/var/lib/dialogbot \
    DIALOGBOT_LOG_FORMAT=json \
    DIALOGBOT_HEALTH_LISTEN=0.0.0.0 \
    DIALOGBOT_HEALTH_PORT=8080 \
    DIALOGBOT_TELEGRAM_WEBHOOK_LISTEN=0.0.0.0 \
    DIALOGBOT_SLACK_LISTEN=0.0.0.0
USER dialogbot:dialogbot
WORKDIR /var/lib/dialogbot
VOLUME ["/var/lib/dialogbot"]
# 8080: /healthz /readyz /metrics; 8443: Telegram webhook; 3000: Slack HTTP mode.
EXPOSE 8080 8443 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["dialogbot"]
CMD ["run"]
