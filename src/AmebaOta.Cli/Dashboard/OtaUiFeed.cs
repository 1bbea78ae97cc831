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
        foreach (var board in feed.Session.Core.Boards.All()) feed.Show(board);
        return feed;
    }

    /// <summary>The name a board is listed and recorded by: its trigger end point.</summary>
    public static string NameOf(IPAddress address) => new IPEndPoint(OtaUiBoards.Normalize(address), OtaUiTrigger.Port).ToString();

    private void Show(OtaUiBoard board)
    {
        string family = _history.Best.Try(s => s.BoardSeenAt(board.Address), null) is { } seen ? seen.Family : Family.Id;
        string state = board.State is null ? Output.Printable.Of(board.StateText) : OtaUiStateWords.Word(board.State);
        _state.OtaUiSeen(NameOf(board.Address), new IPEndPoint(board.Address, OtaUiTrigger.Port), state, board.Online, board.LastBeat, board.FirstSeen, family);
    }

    public async ValueTask DisposeAsync()
    {
        Session.Core.Boards.Changed -= Show;
        await Session.DisposeAsync();
    }
}
