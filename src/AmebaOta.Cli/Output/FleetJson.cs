using System.Text.Json;
using System.Text.Json.Serialization;
using AmebaOta.Fleet;

namespace AmebaOta.Cli.Output;

/// <summary><c>fleet upload --json</c>: one object per board, one per line.</summary>
public sealed record FleetBoardJson(string Board, string Address, int Port, string State, int Attempts, double ElapsedMs, double? RebootMs, string? Error)
{
    public static FleetBoardJson From(FleetBoardStatus s) => new(
        s.Target.Name, s.Target.EndPoint.Address.ToString(), s.Target.EndPoint.Port, FleetText.StateName(s.State), s.Attempt,
        Math.Round(s.Elapsed.TotalMilliseconds, 1), s.RebootTime is { } r ? Math.Round(r.TotalMilliseconds, 1) : null, s.Error);
}

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FleetBoardJson))]
public sealed partial class FleetJsonContext : JsonSerializerContext;
