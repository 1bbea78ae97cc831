using System.Net;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Families;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Server;

namespace AmebaOta.Cli.Dashboard;

/// <summary>
/// <c>dashboard --ota-ui</c>: the dashboard is also the OTA UI server the boards' sketch beats to (the one a CLI run
/// would start, <see cref="OtaUiSession"/>). Each board that beats is a row, named by its trigger end point as
/// <c>fleet upload</c> records it, with its OTA UI state; one that stops beating is shown gone. A heartbeat carries no
/// family: the history's is shown, else <see cref="Family"/>. Runs of an image its boards download trigger them here
/// (<see cref="Runs.RunManager"/>).
/// </summary>
public sealed class OtaUiFeed : IAsyncDisposable
{
    private readonly DashboardState _state;
    private readonly DashboardHistory _history;
    private readonly HashSet<IPAddress> _downloaded = [];

    private OtaUiFeed(OtaUiSession session, BoardFamily family, DashboardState state, DashboardHistory history)
    {
        Session = session;
        Family = family;
        _state = state;
        _history = history;
    }

    /// <summary>The boards' server.</summary>
    public OtaUiSession Session { get; }

    /// <summary>The family shown for a board the history does not know (heartbeats do not say it).</summary>
    public BoardFamily Family { get; }

    /// <summary>Listens on <paramref name="listen"/> for heartbeats; boards appear in <paramref name="state"/> as they beat.</summary>
    public static async Task<OtaUiFeed> StartAsync(IPEndPoint listen, BoardFamily family, DashboardState state, DashboardHistory history, CancellationToken cancellationToken)
    {
        var feed = new OtaUiFeed(await OtaUiSession.StartAsync(listen, cancellationToken), family, state, history);
        feed.Session.Core.Boards.Changed += feed.Show;
        feed.Session.Core.Activity.Started += feed.Downloading;
        foreach (var board in feed.Session.Core.Boards.All()) feed.Show(board);
        return feed;
    }

    /// <summary>The name a board is listed and recorded by: its trigger end point.</summary>
    public static string NameOf(IPAddress address) => OtaUiSession.BoardName(address);

    private void Downloading(Protocol.Serving.PullTransfer transfer)
    {
        if (transfer.Remote is { } remote) lock (_downloaded) _downloaded.Add(OtaUiBoards.Normalize(remote.Address));
    }

    private void Show(OtaUiBoard board)
    {
        string family = _history.Best.Try(s => s.BoardSeenAt(board.Address), null) is { } seen ? seen.Family : Family.Id;
        string state = board.State is null ? Output.Printable.Of(board.StateText) : OtaUiStateWords.Word(board.State);
        _state.OtaUiSeen(NameOf(board.Address), new IPEndPoint(board.Address, OtaUiTrigger.Port), state, board.Online, board.LastBeat, board.FirstSeen, family,
            Note(board, family));
    }

    /// <summary>A board stuck at COMPLETED that downloaded nothing from here since it was last idle: what its family says that points to.</summary>
    private string? Note(OtaUiBoard board, string familyId)
    {
        lock (_downloaded)
        {
            if (board.State == OtaUiState.Idle) _downloaded.Remove(board.Address);
            if (board.State != OtaUiState.DownloadFirmwareCompleted || _downloaded.Contains(board.Address)) return null;
        }
        return BoardFamilies.Find(familyId) is { UpdatesByOtaUi: true } family ? family.OtaUiStuckElsewhereHint : null;
    }

    public async ValueTask DisposeAsync()
    {
        Session.Core.Boards.Changed -= Show;
        Session.Core.Activity.Started -= Downloading;
        await Session.DisposeAsync();
    }
}
