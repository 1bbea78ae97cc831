namespace AmebaOta.Fleet.Rollouts;

/// <summary>A board's rollout state changed (or, while it uploads, its progress): the Mender state plus the fleet updater's detail.</summary>
/// <param name="Board">The board, its stage and its new state.</param>
/// <param name="Fleet">The fleet updater's status behind it (progress, attempt, reboot time); null for changes the rollout makes itself.</param>
public sealed record RolloutBoardStatus(RolloutBoard Board, FleetBoardStatus? Fleet);

/// <summary>What happens to a stage.</summary>
public enum RolloutStageEventKind
{
    /// <summary>Waiting <see cref="RolloutSettings.PauseBetween"/> before it.</summary>
    Pausing,
    /// <summary>Its uploads start.</summary>
    Started,
    /// <summary>Every board of it is done, within the failure threshold.</summary>
    Finished,
}

/// <summary>A stage event.</summary>
/// <param name="Kind">What happens.</param>
/// <param name="Stage">The stage, from 1.</param>
/// <param name="Boards">Boards to send to in it (not already done).</param>
public sealed record RolloutStageEvent(RolloutStageEventKind Kind, int Stage, int Boards);

/// <summary>How a rollout run ended.</summary>
public enum RolloutEnd
{
    /// <summary>Every stage ran.</summary>
    Completed,
    /// <summary>More failures than allowed: nothing more was sent.</summary>
    EmergencyStopped,
    /// <summary>Stopped by Ctrl+C or <c>--stop</c>: resumable.</summary>
    Stopped,
}

/// <summary>The end of a rollout run: every board's state and how it ended.</summary>
/// <param name="Boards">Every board, in order.</param>
/// <param name="End">How it ended.</param>
/// <param name="Reason">Why it stopped.</param>
/// <param name="Duration">How long this run took.</param>
public sealed record RolloutResult(IReadOnlyList<RolloutBoard> Boards, RolloutEnd End, string? Reason, TimeSpan Duration)
{
    /// <summary>Boards in <paramref name="state"/>.</summary>
    public int Count(RolloutBoardState state) => Boards.Count(b => b.State == state);
}

/// <summary>What a rollout tells its persistence (the database) as it goes; see <see cref="RolloutStore"/>.</summary>
public interface IRolloutJournal
{
    /// <summary>A board's state changed.</summary>
    void Board(RolloutBoard board);
    /// <summary>The rollout ended, or stopped, this way.</summary>
    void Ended(RolloutEnd end, string? reason);
    /// <summary>The rollout is alive; returns true when someone asked it to stop (<c>--stop</c>).</summary>
    bool Heartbeat();
}
