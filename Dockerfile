# Schildwacht services image: collector, classifier worker, triage ingest and web share one image.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
# Screenshots handed over (schildwacht intake, the forwarding mailbox) are read with Tesseract's Dutch model.
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-nld \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY schildwacht ./schildwacht
COPY collectors ./collectors
COPY classifiers ./classifiers
# training/ (training code, its data and the training-only dependencies of the extra `train`) stays out of the image.
COPY triage ./triage
COPY models ./models
COPY docs ./docs
# Editable install: the code, models/ and docs/ (privacy notice shown to officials) stay together under /app.
RUN pip install -e . && useradd --system --home /app schildwacht \
    && mkdir -p /var/lib/schildwacht && chown schildwacht /var/lib/schildwacht
USER schildwacht
ENV SCHILDWACHT_MODEL_PATH=/app/models/schildwacht-nl-mini SCHILDWACHT_DATA_DIR=/var/lib/schildwacht
# 8000: web (/healthz, /readyz, /metrics with a token); 9100: a worker's metrics (SCHILDWACHT_METRICS_PORT)
EXPOSE 8000 9100
ENTRYPOINT ["schildwacht"]
