using System.Text.Json.Serialization;
using AmebaOta.Fleet.Rollouts;

namespace AmebaOta.Cli.Output;

/// <summary><c>fleet rollout --json</c>: the rollout starts (its plan).</summary>
public sealed record RolloutStartJson(string Event, long? Rollout, string File, string Sha256, uint? SketchVersion, bool Resumed, int Boards,
    IReadOnlyList<RolloutStageJson> Stages, IReadOnlyList<string> AlreadyInstalled);

public sealed record RolloutStageJson(int Stage, IReadOnlyList<string> Boards);

/// <summary>A stage pauses, starts or finishes.</summary>
public sealed record RolloutStageEventJson(string Event, long? Rollout, int Stage, string Kind, int Boards);

/// <summary>A board changes state (Mender's names).</summary>
public sealed record RolloutBoardJson(string Event, long? Rollout, int Stage, string Board, string Address, int Port, string State, int? Attempt,
    double? ElapsedMs, double? RebootMs, string? Error)
{
    public static RolloutBoardJson From(long? rollout, RolloutBoardStatus s) => new("board", rollout, s.Board.Stage, s.Board.Target.Name,
        s.Board.Target.EndPoint.Address.ToString(), s.Board.Target.EndPoint.Port, s.Board.State.Name(), s.Fleet?.Attempt,
        s.Fleet is { } f ? Math.Round(f.Elapsed.TotalMilliseconds, 1) : null, s.Fleet?.RebootTime is { } r ? Math.Round(r.TotalMilliseconds, 1) : null, s.Board.Error);
}

/// <summary>The rollout's run ends.</summary>
public sealed record RolloutEndJson(string Event, long? Rollout, string Result, string? Reason, int Success, int Failure, int AlreadyInstalled,
    int Aborted, int Pending, double DurationMs)
{
    /// <summary>Boards cut mid-transfer by the rollout that did not listen again (not failures; reset them, then resume).</summary>
    public int NeedsReset { get; init; }

    /// <summary>How the airtime budget was used over the whole run.</summary>
    public AirtimeJson? Airtime { get; init; }
}

/// <summary>Once a second while boards are under way: the airtime budget in use.</summary>
public sealed record RolloutAirtimeJson(string Event, long? Rollout, AirtimeJson Airtime);

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RolloutStartJson))]
[JsonSerializable(typeof(RolloutStageEventJson))]
[JsonSerializable(typeof(RolloutBoardJson))]
[JsonSerializable(typeof(RolloutEndJson))]
[JsonSerializable(typeof(RolloutAirtimeJson))]
public sealed partial class RolloutJsonContext : JsonSerializerContext;
