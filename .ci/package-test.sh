#!/usr/bin/env bash
# Package test: packs Coala.ML and Coala.ML.Training into a temporary local feed, then builds and runs a
# throw-away console app OUTSIDE the repository (.ci/package-test/Program.cs) that references the fresh Coala.ML
# package plus Microsoft.ML.OnnxRuntime (CPU), and embeds audio with the default model that the package ships
# (no model path anywhere). It also checks what both packages carry, that publish takes the model along, and
# that an app with Coala.ML alone (no native ONNX Runtime) gets a CoalaException naming the package to add.
# Then the coala CLI: packed as the .NET tool Coala.ML.Cli (linux-x64), installed with `dotnet tool install
# --tool-path` from the same feed, and run as `coala embed` on a generated WAV (default model, CPU); and the
# Dockerfile's `dotnet publish` line, whose published app must embed the same row.
# A private NUGET_PACKAGES folder and a source mapping (Coala.ML* from the local feed only) make sure no cached
# or foreign Coala.ML can be used. The other packages come from this machine's configured feeds.
# Usage: bash .ci/package-test.sh   (exit 0: all good). KEEP=1 keeps the temp folder for a look.
set -euo pipefail
start=$(date +%s)
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/coala-package-test.XXXXXX")
[ "${KEEP:-0}" = 1 ] && echo "package test: keeping $work" || trap 'rm -rf "$work"' EXIT
feed=$work/feed app=$work/app
mkdir -p "$feed" "$app"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The machine's enabled feeds, read before NUGET_PACKAGES changes and from outside the repository.
mapfile -t feeds < <(cd "$work" && dotnet nuget list source --format short | awk '$1 ~ /^E/ {print $2}')
[ "${#feeds[@]}" -gt 0 ] || { echo "package test: no enabled NuGet source on this machine" >&2; exit 1; }
machine_packages=${NUGET_PACKAGES:-}
export NUGET_PACKAGES=$work/packages
# The CLI's restore (every platform's libtorch and ONNX Runtime GPU, about 2 GB) uses the machine's package cache.
with_machine_cache() { if [ -n "$machine_packages" ]; then NUGET_PACKAGES=$machine_packages "$@"; else env -u NUGET_PACKAGES "$@"; fi; }

version=$(dotnet msbuild "$root/src/Coala.ML/Coala.ML.csproj" -getProperty:PackageVersion)
ort=$(sed -n 's/.*PackageVersion Include="Microsoft.ML.OnnxRuntime.Managed" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")
echo "== package test: Coala.ML $version with Microsoft.ML.OnnxRuntime $ort (feeds: ${feeds[*]})"

echo "== dotnet pack"
for p in Coala.ML Coala.ML.Training; do
  dotnet pack "$root/src/$p/$p.csproj" -c Release -o "$feed" -nologo -v q -p:ContinuousIntegrationBuild=true
done
ls -l "$feed"

# A project with no Directory.*.props above it, its own nuget.config, and exact versions.
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo "<Project />" > "$work/$f"; done
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"coala-local\" value=\"$feed\" />"
  for i in "${!feeds[@]}"; do echo "    <add key=\"feed$i\" value=\"${feeds[$i]}\" />"; done
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="coala-local"><package pattern="Coala.ML" /><package pattern="Coala.ML.*" /></packageSource>'
  for i in "${!feeds[@]}"; do echo "    <packageSource key=\"feed$i\"><package pattern=\"*\" /></packageSource>"; done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$app/nuget.config"
cat > "$app/consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Coala.ML" Version="[$version]" />
    <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="[$ort]" />
  </ItemGroup>
</Project>
XML
cp "$root/.ci/package-test/Program.cs" "$app/Program.cs"

echo "== consumer: restore and build"
dotnet build "$app/consumer.csproj" -c Release -nologo -v q -o "$app/bin"
restored=$NUGET_PACKAGES/coala.ml/$version
[ -f "$restored/models/coala-ec.onnx" ] || { echo "package test: Coala.ML was not restored from the fresh feed" >&2; exit 1; }
cmp "$restored/models/coala-ec.onnx" "$root/models/coala-ec.onnx"
cmp "$app/bin/CoalaModels/coala-ec.onnx" "$root/models/coala-ec.onnx"

echo "== consumer: run"
extra=()
fsdd=$root/../shared/data/fsdd/recordings/0_george_0.wav
[ -f "$fsdd" ] && extra+=("$fsdd")
dotnet "$app/bin/consumer.dll" "$feed" "${extra[@]}"

echo "== consumer: publish keeps the model beside the application"
dotnet publish "$app/consumer.csproj" -c Release -nologo -v q --no-restore -o "$app/publish" >/dev/null
cmp "$app/publish/CoalaModels/coala-ec.onnx" "$root/models/coala-ec.onnx"

echo "== consumer without a native ONNX Runtime: a CoalaException says which package to add"
bare=$work/app-managed-only
mkdir -p "$bare"
cp "$app/nuget.config" "$app/Program.cs" "$bare/"
grep -v '"Microsoft.ML.OnnxRuntime"' "$app/consumer.csproj" > "$bare/consumer.csproj"
dotnet build "$bare/consumer.csproj" -c Release -nologo -v q -o "$bare/bin"
dotnet "$bare/bin/consumer.dll" --no-native

echo "== coala CLI: pack as the .NET tool Coala.ML.Cli (linux-x64)"
with_machine_cache dotnet pack "$root/src/Coala.ML.Cli/Coala.ML.Cli.csproj" -c Release -o "$feed" -nologo -v q \
  -p:ContinuousIntegrationBuild=true -p:ToolPackageRuntimeIdentifiers=linux-x64
ls -l "$feed"/Coala.ML.Cli*
python3 - "$feed/Coala.ML.Cli.linux-x64.$version.nupkg" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
base = "tools/net10.0/linux-x64/"
for need in ("coala.dll", "DotnetToolSettings.xml", "CoalaModels/coala-ec.onnx", "CoalaModels/coala-ec.tags.onnx", "libonnxruntime.so"):
    if base + need not in names: sys.exit(f"package test: the tool package lacks {base + need}")
windows = [n for n in names if n.startswith(base + "onnxruntime") and n.endswith(".dll")]
if windows: sys.exit(f"package test: the linux-x64 tool package carries Windows ONNX Runtime files: {windows}")
print(f"tool package: {len(names)} files, default model and tag model included")
PY

echo "== coala CLI: dotnet tool install from the feed, then coala embed with the default model on the CPU"
wav=$work/tone.wav
python3 - "$wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
    w.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / 22050) * (1 + 0.5 * math.sin(i / 900))) // 2)
                           for i in range(22050 * 3)))
PY
(cd "$work" && dotnet tool install --tool-path "$work/tool" --add-source "$feed" Coala.ML.Cli --version "$version")
tool_model=$(find "$work/tool/.store" -path '*/CoalaModels/coala-ec.onnx' | head -n 1)
[ -n "$tool_model" ] || { echo "package test: no CoalaModels/coala-ec.onnx in the installed tool" >&2; exit 1; }
cmp "$tool_model" "$root/models/coala-ec.onnx"
check_row() { # csv, input path: a header and one row of the input with 1152 finite values
  python3 - "$1" "$2" <<'PY'
import csv, math, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
assert len(rows) == 2, f"{sys.argv[1]}: {len(rows)} lines, expected a header and one row"
assert rows[0][0] == "path" and len(rows[0]) == 1153, rows[0][:3]
assert rows[1][0] == sys.argv[2], rows[1][0]
values = [float(v) for v in rows[1][1:]]
assert len(values) == 1152 and all(math.isfinite(v) for v in values) and any(values), "bad vector"
print(f"{sys.argv[1]}: one row, 1152 values")
PY
}
"$work/tool/coala" embed "$wav" --output "$work/tool.csv"
check_row "$work/tool.csv" "$wav"

echo "== Dockerfile: its dotnet publish line, then the published app embeds the same row"
publish=$(sed -n 's|^RUN \(dotnet publish .*\) -o /app$|\1|p' "$root/Dockerfile")
[ -n "$publish" ] || { echo "package test: no 'RUN dotnet publish ... -o /app' line in the Dockerfile" >&2; exit 1; }
# shellcheck disable=SC2086 # the Dockerfile's words, split as the shell in the image splits them
(cd "$root" && with_machine_cache $publish -o "$work/publish" -nologo -v q -p:ContinuousIntegrationBuild=true >/dev/null)
cmp "$work/publish/CoalaModels/coala-ec.onnx" "$root/models/coala-ec.onnx"
"$work/publish/coala" embed "$wav" --output "$work/published.csv"
cmp "$work/tool.csv" "$work/published.csv"

echo "package test: passed in $(( $(date +%s) - start )) s"
