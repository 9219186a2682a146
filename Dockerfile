# The tutor's API worker, serving the web UI at `/`. Stateful parts run in their own
# containers (docker-compose.yml).

# The web UI's static export, built once; only out/ reaches the final image.
FROM node:20-slim AS web
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npx next build

FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False

# Learner code runs only in a bubblewrap jail, which needs user namespaces: Docker's default
# seccomp and AppArmor profiles forbid them, so run the container with profiles that allow
# them (e.g. --security-opt seccomp=unconfined --security-opt apparmor=unconfined); without
# them the sandbox refuses to run code. The service runs as root here (no USER), so each
# run also gets a user id of its own.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/tutor
# The CPU build of PyTorch first, so nothing later pulls a CUDA one.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY tutor ./tutor
COPY agents ./agents
COPY prompts ./prompts
COPY migrations ./migrations
# Beside the package, where the server looks for it.
COPY --from=web /web/out ./web/out
# Editable: migrations/ and prompts/ are read from the source tree.
RUN pip install --no-cache-dir -e .

EXPOSE 8000
CMD ["tutor", "serve"]
