#!/usr/bin/env bash
# Package test: packs Coala.ML and Coala.ML.Training into a temporary local feed, then builds and runs a
# throw-away console app OUTSIDE the repository (.ci/package-test/Program.cs) that references the fresh Coala.ML
# package plus Microsoft.ML.OnnxRuntime (CPU), and embeds audio with the default model that the package ships
# (no model path anywhere). It also checks what both packages carry, that publish takes the model along, and
# that an app with Coala.ML alone (no native ONNX Runtime) gets a CoalaException naming the package to add.
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
export NUGET_PACKAGES=$work/packages

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
[ -f "$restored/models/coala-aec.onnx" ] || { echo "package test: Coala.ML was not restored from the fresh feed" >&2; exit 1; }
cmp "$restored/models/coala-aec.onnx" "$root/models/coala-aec.onnx"
cmp "$app/bin/CoalaModels/coala-aec.onnx" "$root/models/coala-aec.onnx"

echo "== consumer: run"
extra=()
fsdd=$root/../shared/data/fsdd/recordings/0_george_0.wav
[ -f "$fsdd" ] && extra+=("$fsdd")
dotnet "$app/bin/consumer.dll" "$feed" "${extra[@]}"

echo "== consumer: publish keeps the model beside the application"
dotnet publish "$app/consumer.csproj" -c Release -nologo -v q --no-restore -o "$app/publish" >/dev/null
cmp "$app/publish/CoalaModels/coala-aec.onnx" "$root/models/coala-aec.onnx"

echo "== consumer without a native ONNX Runtime: a CoalaException says which package to add"
bare=$work/app-managed-only
mkdir -p "$bare"
cp "$app/nuget.config" "$app/Program.cs" "$bare/"
grep -v '"Microsoft.ML.OnnxRuntime"' "$app/consumer.csproj" > "$bare/consumer.csproj"
dotnet build "$bare/consumer.csproj" -c Release -nologo -v q -o "$bare/bin"
dotnet "$bare/bin/consumer.dll" --no-native

echo "package test: passed in $(( $(date +%s) - start )) s"
