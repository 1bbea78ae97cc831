namespace AmebaOta.Fleet;

/// <summary>The end of a fleet run: the final status of every board, in the order given.</summary>
public sealed record FleetResult(IReadOnlyList<FleetBoardStatus> Boards, TimeSpan Duration)
{
    /// <summary>Boards that were updated.</summary>
    public int Updated => Boards.Count(b => b.State == FleetBoardState.Updated);

    /// <summary>Boards that were not updated.</summary>
    public int Failed => Boards.Count(b => b.State == FleetBoardState.Failed);

    /// <summary>Boards under way when the run was cancelled.</summary>
    public int Cancelled => Boards.Count(b => b.State == FleetBoardState.Cancelled);

    /// <summary>Boards not attempted (the run was cancelled).</summary>
    public int Skipped => Boards.Count(b => b.State == FleetBoardState.Skipped);

    /// <summary>True when every board was updated.</summary>
    public bool AllUpdated => Boards.Count > 0 && Updated == Boards.Count;
}
