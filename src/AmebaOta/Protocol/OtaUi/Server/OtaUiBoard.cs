using System.Net;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// One board as the server knows it from its heartbeats: its address (the key, as the stock server keys boards), the
/// state it last reported, when it was first and last heard, and whether it still beats. A board that stops beating is
/// kept, marked gone, never deleted: what it reported last is what it was doing when it went quiet.
/// </summary>
/// <param name="Address">The board's IPv4 address (IPv4-mapped IPv6 addresses are shown as IPv4).</param>
/// <param name="StateText">The <c>OTA_state</c> text of its last heartbeat, as sent (empty when it sent none).</param>
/// <param name="State">The state that text names (null: not one of the five the libraries know).</param>
/// <param name="FirstSeen">Its first heartbeat since the server started.</param>
/// <param name="LastBeat">Its last heartbeat.</param>
/// <param name="StateSince">When it first reported the state it reports now (since its last change).</param>
/// <param name="Beats">Heartbeats received from it.</param>
/// <param name="Online">False once no heartbeat came for the server's gone-after time.</param>
public sealed record OtaUiBoard(
    IPAddress Address, string StateText, OtaUiState? State, DateTimeOffset FirstSeen, DateTimeOffset LastBeat, DateTimeOffset StateSince, long Beats, bool Online);

/// <summary>One heartbeat as received: from whom, what it said, and how long after the one before it.</summary>
/// <param name="Board">The board after this heartbeat.</param>
/// <param name="Previous">The board before it (null: its first heartbeat).</param>
/// <param name="Gap">Time since its previous heartbeat (null: its first).</param>
public sealed record OtaUiBeat(OtaUiBoard Board, OtaUiBoard? Previous, TimeSpan? Gap);

/// <summary>Short words for states, for tables.</summary>
public static class OtaUiStateWords
{
    /// <summary><c>idle</c>, <c>downloading</c>, <c>completed</c>, <c>rebooting</c>, <c>start signal</c>, <c>unknown</c>.</summary>
    public static string Word(OtaUiState? state) => state switch
    {
        OtaUiState.Idle => "idle",
        OtaUiState.ReceivedStartSignal => "start signal",
        OtaUiState.DownloadFirmwareInProgress => "downloading",
        OtaUiState.DownloadFirmwareCompleted => "completed",
        OtaUiState.Reboot => "rebooting",
        _ => "unknown",
    };
}
