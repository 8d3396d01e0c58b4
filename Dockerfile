# The lab's command line (engine + `wmlab`, no browser) as a container image, for sweeps on a
# cluster: `wmlab sweep --emit k8s|slurm` runs it (docs/sweeps.md).
#   docker build -t watermas-lab:latest .
#   docker run --rm -v "$PWD/runs:/results" watermas-lab:latest wmlab sweep /opt/wmlab/examples/sweeps/lecture-sharpness.json --data synthetic --out /results/demo
FROM node:22-bookworm-slim
WORKDIR /opt/wmlab
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:node \
 && chmod +x bin/wmlab.mjs \
 && ln -s /opt/wmlab/bin/wmlab.mjs /usr/local/bin/wmlab
# the bundle built above is the one every command runs (no rebuild at run time)
ENV WMLAB_NO_REBUILD=1
CMD ["wmlab", "help"]
