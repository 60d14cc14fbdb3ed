# kicc-mock: a static Go binary on an empty (scratch) image.
#
#   docker build -t kicc-mock --build-arg VERSION=$(git describe --tags --always) .
#   docker run --rm -p 8080:8080 kicc-mock
#
# Your own scenario files (the --scenarios flag, KICC_MOCK_SCENARIOS) go in the
# empty /scenarios directory the image provides:
#
#   docker run --rm -p 8080:8080 -v "$PWD/scenarios:/scenarios:ro" \
#     -e KICC_MOCK_SCENARIOS=/scenarios kicc-mock
#
# With podman or buildah, add --format docker: the default OCI format has no
# HEALTHCHECK and buildah drops it (with a warning).
#
# The builder stage uses only the go command and a POSIX shell (no apk), so it
# also builds with ../shared/tools/container-check's stand-in golang image.

FROM golang:1.26-alpine AS build
WORKDIR /src
ENV CGO_ENABLED=0
# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kicc-mock . \
 && mkdir -p /out/scenarios

FROM scratch
ARG VERSION=dev
# The repository has no LICENSE file yet; NOASSERTION is SPDX for "not stated".
# Set it with --build-arg LICENSE=<SPDX id> once one is chosen.
ARG LICENSE=NOASSERTION
LABEL org.opencontainers.image.title="kicc-mock" \
      org.opencontainers.image.description="Mock of the KICC (EasyPay) WeChat Pay API for tests and local development" \
      org.opencontainers.image.source="https://github.com/kicc-mock/kicc-mock" \
      org.opencontainers.image.licenses="${LICENSE}" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/kicc-mock /kicc-mock
# An empty mount point for scenario files; scratch has no mkdir.
COPY --from=build /out/scenarios /scenarios
USER 65532:65532
# Listen on every interface inside the container (the binary's default is
# 127.0.0.1:8080, which a published port cannot reach).
ENV KICC_MOCK_ADDR=:8080
EXPOSE 8080
# Exec form: scratch has no shell. The healthcheck subcommand reads
# KICC_MOCK_ADDR too, so it probes the port the server listens on.
HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=3 \
  CMD ["/kicc-mock", "healthcheck"]
ENTRYPOINT ["/kicc-mock"]
CMD ["serve"]
