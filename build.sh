#!/usr/bin/env bash
# One command on a fresh machine with only the .NET SDK: restores the pinned Cake and runs a target.
#   ./build.sh --target Test | Run | Build | Clean
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore >/dev/null
exec dotnet tool run dotnet-cake -- build.cake "$@"
