using System.Text.Json;
using System.Text.Json.Serialization;
using AmebaOta.Fleet;

namespace AmebaOta.Cli.Output;

/// <summary><c>fleet upload --json</c>: one object per board, one per line.</summary>
public sealed record FleetBoardJson(string Board, string Address, int Port, string State, int Attempts, double ElapsedMs, double? RebootMs, string? Error)
{
    /// <summary>The board's family (<c>ameba1</c>, <c>amebad</c>, …), when known.</summary>
    public string? Family { get; init; }

    /// <summary>A board sent nothing because the run has no image of its family: state <c>refused</c>.</summary>
    public static FleetBoardJson Refused(FleetTarget t, string reason) => new(
        t.Name, t.EndPoint.Address.ToString(), t.EndPoint.Port, "refused", 0, 0, null, reason) { Family = t.Family?.Id };

    /// <summary>A matching name that answered from several addresses: state <c>conflict</c>, every address in <c>address</c>.</summary>
    public static FleetBoardJson Conflict(AmebaOta.Discovery.DiscoveredService s) => new(
        s.InstanceName, string.Join(",", s.AllAddresses), s.Port, "conflict", 0, 0, null,
        "answered by mDNS from several addresses (a duplicate name or an impostor); skipped: give --ip ADDRESS with --match to say which");

    /// <summary>A board the history has seen that did not answer this time: state <c>not-answering</c>.</summary>
    public static FleetBoardJson Silent(AmebaOta.Fleet.History.BoardSummary b) => new(
        b.Name, b.Address ?? "", b.Port ?? 0, "not-answering", 0, 0, null, $"known to the history (last seen {b.LastSeen:O}), did not answer by mDNS");

    public static FleetBoardJson From(FleetBoardStatus s) => new(
        s.Target.Name, s.Target.EndPoint.Address.ToString(), s.Target.EndPoint.Port, FleetText.StateName(s.State), s.Attempt,
        Math.Round(s.Elapsed.TotalMilliseconds, 1), s.RebootTime is { } r ? Math.Round(r.TotalMilliseconds, 1) : null, s.Error) { Family = s.Target.Family?.Id };
}

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FleetBoardJson))]
[JsonSerializable(typeof(FleetAirtimeLineJson))]
public sealed partial class FleetJsonContext : JsonSerializerContext;

/// <summary>The airtime budget in use (<see cref="AmebaOta.Fleet.Airtime.AirtimeSnapshot"/>): rates in image bytes acknowledged per second.</summary>
public sealed record AirtimeJson(double? MaxBytesPerSecond, int? MaxParallel, double BytesPerSecond, double PeakBytesPerSecond, double MeanBytesPerSecond,
    double BoardBytesPerSecond, double? EraseMs, int Sending, int Erasing, int Waiting, int PeakSending, int PeakOpen, int Turns, long Bytes)
{
    public static AirtimeJson From(AmebaOta.Fleet.Airtime.AirtimeSnapshot s) => new(
        s.MaxBytesPerSecond, s.MaxConcurrent, Math.Round(s.BytesPerSecond), Math.Round(s.PeakBytesPerSecond), Math.Round(s.MeanBytesPerSecond),
        Math.Round(s.BoardRate), s.Erase is { } e ? Math.Round(e.TotalMilliseconds, 1) : null, s.Sending, s.Erasing, s.Waiting, s.PeakSending, s.PeakOpen,
        s.Started, s.TotalBytes);
}

/// <summary><c>fleet upload --json</c>'s last line: how the airtime budget was used.</summary>
public sealed record FleetAirtimeLineJson(AirtimeJson Airtime);
