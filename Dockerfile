# The coala CLI in a container: dotnet publish of src/Coala.ML.Cli (framework-dependent, linux-x64) on the .NET 10
# runtime image; the default model travels as /app/CoalaModels/coala-ec.onnx, so `embed` needs no model path.
#   docker build -t coala .
#   docker run --rm -v "$PWD/audio:/data:ro" -v "$PWD/out:/out" coala embed /data --recursive --output /out/emb.parquet
# The encoder runs on the CPU here (ONNX Runtime's CPU provider; the CUDA provider in the image needs the CUDA 13 and
# cuDNN libraries, which this base image does not have). CI cannot build images (no container runtime); it runs
# this file's `dotnet publish` line and embeds a file with the published app (.ci/package-test.sh).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Coala.ML.Cli/Coala.ML.Cli.csproj -c Release -r linux-x64 --no-self-contained -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["/app/coala"]
