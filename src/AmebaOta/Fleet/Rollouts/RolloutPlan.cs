using AmebaOta.Fleet.History;

namespace AmebaOta.Fleet.Rollouts;

/// <summary>One board of a rollout: where it stands in the order, its stage (from 1) and its state.</summary>
/// <param name="Target">The board.</param>
/// <param name="Stage">Its stage, from 1.</param>
/// <param name="Position">Its place in the order, from 1 (the canary is 1).</param>
/// <param name="State">Where it is.</param>
/// <param name="Error">Why it failed, or why it is already installed or aborted.</param>
public sealed record RolloutBoard(FleetTarget Target, int Stage, int Position, RolloutBoardState State, string? Error = null)
{
    /// <summary>What a board cut mid-transfer by the rollout itself is told it needs.</summary>
    public const string NeedsResetReason = "needs a reset (it was cut mid-transfer)";

    /// <summary>Marks the error of a board whose upload the rollout cut (Ctrl+C, --stop, an emergency stop).</summary>
    public const string CutMark = "cut mid-transfer: ";

    /// <summary>
    /// True when the rollout itself cut this board's upload: its process died mid-upload (the journal still says
    /// uploading), it was stopped mid-upload, or it already needed a reset. A stock board cut that way may not listen again
    /// until it is reset, which is no failure of the image.
    /// </summary>
    public bool WasCut => State is RolloutBoardState.Uploading or RolloutBoardState.NeedsReset ||
        State == RolloutBoardState.Aborted && Error?.StartsWith(CutMark, StringComparison.Ordinal) == true;
}

/// <summary>The boards of a rollout in their stages, in the order they are sent to.</summary>
/// <param name="Boards">Every board, in order.</param>
/// <param name="StageCount">Number of stages.</param>
public sealed record RolloutPlan(IReadOnlyList<RolloutBoard> Boards, int StageCount)
{
    /// <summary>The boards of stage <paramref name="stage"/> (from 1).</summary>
    public IEnumerable<RolloutBoard> Stage(int stage) => Boards.Where(b => b.Stage == stage);

    /// <summary>
    /// Orders <paramref name="targets"/> (by name, then address: the same boards always give the same order, whatever the
    /// order discovery found them in) and splits them into stages. With <paramref name="skipCurrent"/>, a board whose last
    /// update in <paramref name="history"/> is this image, seen back after its reboot, is already-installed.
    /// </summary>
    /// <exception cref="DowngradeException">Without <paramref name="allowDowngrade"/>: the image's sketch version is lower than what some boards are believed to run.</exception>
    public static RolloutPlan Create(IEnumerable<FleetTarget> targets, IReadOnlyList<StageSize> stages, ImageIdentity image,
        bool skipCurrent, bool allowDowngrade, Func<string, BoardSummary?> history) =>
        Create(targets, stages, [image], skipCurrent, allowDowngrade, history);

    /// <summary>
    /// The same for a rollout with an image per family: each board is judged against the image of its family (a board of
    /// unknown family against the only image).
    /// </summary>
    /// <exception cref="DowngradeException">Without <paramref name="allowDowngrade"/>: an image's sketch version is lower than what some boards of its family are believed to run.</exception>
    public static RolloutPlan Create(IEnumerable<FleetTarget> targets, IReadOnlyList<StageSize> stages, IReadOnlyList<ImageIdentity> images,
        bool skipCurrent, bool allowDowngrade, Func<string, BoardSummary?> history)
    {
        var ordered = targets.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ThenBy(t => t.EndPoint.ToString(), StringComparer.Ordinal).ToList();
        var ends = StagePlan.Boundaries(stages, ordered.Count);
        var boards = new List<RolloutBoard>(ordered.Count);
        var downgrades = new List<string>();
        uint? downgradeVersion = null;
        int stage = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            while (i >= ends[stage]) stage++;
            var target = ordered[i];
            var image = target.Family is { } family ? images.FirstOrDefault(m => m.Family == family.Id) ?? images[0] : images[0];
            var known = history(target.Name);
            var state = RolloutBoardState.Pending;
            string? note = null;
            if (skipCurrent && known is not null && known.RunsVerified(image.Sha256))
            {
                state = RolloutBoardState.AlreadyInstalled;
                note = $"its last update, {known.LastTaken!.EndedAt:yyyy-MM-dd HH:mm} UTC, was this image and it came back";
            }
            else if (!allowDowngrade && image.SketchVersion is { } version && known?.Believed?.Image is { } believed &&
                     believed.Family == image.Family && believed.SketchVersion is { } running && version < running)
            {
                downgrades.Add($"{target.Name} (believed to run version {running})");
                downgradeVersion ??= version;
            }
            boards.Add(new RolloutBoard(target, stage + 1, i + 1, state, note));
        }
        if (downgrades.Count > 0) throw new DowngradeException(downgradeVersion!.Value, downgrades);
        return new RolloutPlan(boards, ends.Count);
    }
}

/// <summary>The image would take some boards back to an older sketch version.</summary>
public sealed class DowngradeException(uint version, IReadOnlyList<string> boards)
    : Exception($"version {version} is older than what {boards.Count} board{(boards.Count == 1 ? " is" : "s are")} believed to run: " +
                $"{string.Join(", ", boards.Take(5))}{(boards.Count > 5 ? ", ..." : "")} (--allow-downgrade sends it anyway)")
{
    /// <summary>The boards that would be downgraded, with the version each is believed to run.</summary>
    public IReadOnlyList<string> Boards { get; } = boards;
}
