# EnigmaPay dealer console. Builds and starts with the README's own commands (`make venv`,
# `make run`), so the image runs exactly what the tests exercise.
#
#   docker build -t enigmapay-console .
#   docker run -p 8501:8501 -v console-data:/data \
#       -e ENIGMAPAY_API_KEY=... -e ENIGMAPAY_SECRET_KEY=... enigmapay-console
#
# Configuration only through ENIGMAPAY_* environment variables and a secrets file mounted
# read-only at /app/.streamlit/secrets.toml (see README "Configuration").
FROM python:3.11.7-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 console \
    && mkdir -p /app /data \
    && chown console:console /app /data
WORKDIR /app
USER console

# Dependencies first (cached while only the code changes), then the code.
COPY --chown=console:console pyproject.toml Makefile README.md ./
COPY --chown=console:console dashboard ./dashboard
COPY --chown=console:console pages ./pages
COPY --chown=console:console .streamlit/config.toml ./.streamlit/config.toml
COPY --chown=console:console app.py console.py ./
RUN make venv

ENV ENIGMAPAY_DATA_DIR=/data \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

CMD ["make", "run"]
