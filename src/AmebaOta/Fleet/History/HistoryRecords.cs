using System.Net;
using AmebaOta.Families;

namespace AmebaOta.Fleet.History;

/// <summary>An upload about to start: which board, which image, on whose behalf.</summary>
/// <param name="Board">The board's mDNS name, or null when it was given by address only (the history then uses a name it saw at that address, or ADDRESS:PORT).</param>
/// <param name="EndPoint">Where its OTA receiver listens.</param>
/// <param name="SeenNow">True when the board was just found by mDNS (its <c>last seen</c> moves to now).</param>
/// <param name="Image">The image sent.</param>
/// <param name="Command">The command that sends it (<c>upload</c>, <c>fleet upload</c>, <c>fleet rollout</c>).</param>
/// <param name="RolloutId">The rollout it belongs to, if any.</param>
public sealed record UploadStart(string? Board, IPEndPoint EndPoint, bool SeenNow, ImageIdentity Image, string Command, long? RolloutId = null)
{
    /// <summary>The board's family (<c>ameba1</c>, <c>amebad</c>, <c>amebapro2</c>): the image's, since a board is only ever sent images of its own family.</summary>
    public string Family { get; init; } = Image.Family;
    /// <summary>The site whose agent sends it; null when the command sends it itself.</summary>
    public string? Site { get; init; }
    /// <summary>Who asked for it; null: <see cref="History.Actor.Current"/>.</summary>
    public string? Actor { get; init; }
    /// <summary>The site agent that sends it.</summary>
    public string? Agent { get; init; }
    /// <summary>The job it carries out.</summary>
    public long? JobId { get; init; }
}

/// <summary>How an upload ended.</summary>
/// <param name="Outcome">Sent, rebooted, not back, failed or cancelled.</param>
/// <param name="Error">Why it failed (or was not seen back).</param>
/// <param name="ExitCode">The exit code the command reports for it (<c>upload</c>'s codes: 4 cannot connect, 5 dropped, 7 no reboot seen …).</param>
/// <param name="Attempts">Attempts made (retries included).</param>
/// <param name="RebootTime">From the end of sending to the board's announcement after its reboot, when seen.</param>
public sealed record UploadEnd(UploadOutcome Outcome, string? Error = null, int? ExitCode = null, int Attempts = 1, TimeSpan? RebootTime = null);

/// <summary>One upload as recorded.</summary>
/// <param name="Id">Row id.</param>
/// <param name="Board">Board name (or ADDRESS:PORT).</param>
/// <param name="Address">Address it was sent to.</param>
/// <param name="Port">Port it was sent to.</param>
/// <param name="Image">The image.</param>
/// <param name="RolloutId">The rollout it belonged to.</param>
/// <param name="Command">The command that sent it.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended; null while it runs, or if its process died.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="ExitCode">The exit code reported for it.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="RebootMs">Milliseconds from the end of sending to the board's announcement after its reboot.</param>
public sealed record UploadRecord(
    long Id, string Board, string Address, int Port, ImageIdentity Image, long? RolloutId, string Command,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, UploadOutcome? Outcome, string? Error, int? ExitCode, int? Attempts, double? RebootMs)
{
    /// <summary>The board's family.</summary>
    public string Family { get; init; } = BoardFamilies.DefaultId;
    /// <summary>The site it was sent at (by that site's agent); null when a command sent it itself.</summary>
    public string? Site { get; init; }
    /// <summary>Who asked for it.</summary>
    public string? Actor { get; init; }
    /// <summary>The agent that sent it.</summary>
    public string? Agent { get; init; }

    /// <summary>True once the upload has an end (false while it runs, or forever if its process died).</summary>
    public bool Ended => EndedAt is not null;

    /// <summary>True when the board took every byte (sent, rebooted, or sent but not seen back).</summary>
    public bool Taken => Outcome is UploadOutcome.Sent or UploadOutcome.Rebooted or UploadOutcome.NotBack;
}

/// <summary>Everything the history knows about one board.</summary>
/// <param name="Name">mDNS name, or ADDRESS:PORT.</param>
/// <param name="Address">Last known address.</param>
/// <param name="Port">Last known OTA port.</param>
/// <param name="Host">mDNS host name, when discovered.</param>
/// <param name="BoardId">TXT <c>board</c>, when discovered.</param>
/// <param name="FirstSeen">When the history first heard of it.</param>
/// <param name="LastSeen">Last answer by mDNS (null if only ever given by address).</param>
/// <param name="LastTaken">The last upload whose bytes it took (sent, rebooted or not back).</param>
/// <param name="Believed">The last upload it took and is believed to run (sent or rebooted; a later one not seen back does not change the belief).</param>
public sealed record BoardSummary(
    string Name, string? Address, int? Port, string? Host, string? BoardId, DateTimeOffset FirstSeen, DateTimeOffset? LastSeen,
    UploadRecord? LastTaken, UploadRecord? Believed)
{
    /// <summary>The board's family.</summary>
    public string Family { get; init; } = BoardFamilies.DefaultId;
    /// <summary>The site whose agent last saw it; null when only commands have seen it.</summary>
    public string? Site { get; init; }

    /// <summary>True when the believed image was confirmed by the board's reboot.</summary>
    public bool BelievedVerified => Believed?.Outcome == UploadOutcome.Rebooted;

    /// <summary>True when the last update the board took is <paramref name="sha256"/> and it was seen back after its reboot.</summary>
    public bool RunsVerified(string sha256) =>
        LastTaken is { Outcome: UploadOutcome.Rebooted } t && string.Equals(t.Image.Sha256, sha256, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Which uploads <see cref="HistoryStore.Uploads"/> returns; every criterion given must hold.</summary>
/// <param name="Board">Board name (case-insensitive).</param>
/// <param name="ImageSha">Image SHA-256 or a prefix of it (at least 4 hex digits).</param>
/// <param name="Since">Started at or after.</param>
/// <param name="RolloutId">Belonging to this rollout.</param>
/// <param name="Site">At this site.</param>
public sealed record HistoryFilter(string? Board = null, string? ImageSha = null, DateTimeOffset? Since = null, long? RolloutId = null, string? Site = null);

/// <summary>One entry of the audit trail: who did what, when.</summary>
public sealed record AuditRecord(long Id, DateTimeOffset At, string Actor, string Action, string? Subject, string? Detail);
