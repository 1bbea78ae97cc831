using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Fleet;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Fleet;

/// <summary><see cref="FleetUpdater"/> against real virtual boards and broken end points on loopback.</summary>
public class FleetUpdaterTests
{
    private static readonly byte[] V2 = TestImages.Image(2);

    private static List<FleetTarget> Targets(NamedBoards boards) =>
        boards.EndPoints.Select((ep, i) => new FleetTarget(boards.Name(i), ep, ByName: true)).ToList();

    [Fact]
    public async Task Every_board_is_updated_and_seen_back_after_its_reboot()
    {
        await using var boards = await NamedBoards.StartAsync(4);
        var events = new ConcurrentQueue<FleetBoardStatus>();
        var updater = new FleetUpdater(new FleetOptions { MaxParallel = 2, WaitReboot = TimeSpan.FromSeconds(10), Interface = "lo" });
        updater.BoardChanged += events.Enqueue;

        var result = await updater.UpdateAsync(Targets(boards), V2);

        Assert.True(result.AllUpdated, string.Join("\n", result.Boards));
        Assert.All(result.Boards, b => Assert.NotNull(b.RebootTime));
        foreach (var b in boards.Boards) await b.Serial.WaitForAsync("This is version 2");
        var states = events.Where(e => e.Target.Name == boards.Name(0)).Select(e => e.State).Distinct().ToList();
        Assert.Equal([FleetBoardState.Queued, FleetBoardState.Connecting, FleetBoardState.BoardErasing, FleetBoardState.Sending, FleetBoardState.WaitingForReboot, FleetBoardState.Updated], states);
    }

    [Fact]
    public async Task A_refused_board_is_retried_then_reported_failed_while_the_others_are_updated()
    {
        await using var boards = await NamedBoards.StartAsync(2);
        var dead = new FleetTarget("dead", new IPEndPoint(IPAddress.Loopback, TestImages.UnusedPort()));
        var events = new ConcurrentQueue<FleetBoardStatus>();
        var updater = new FleetUpdater(new FleetOptions { Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(50), ConnectTimeout = TimeSpan.FromSeconds(2), StallTimeout = TimeSpan.FromSeconds(2) });
        updater.BoardChanged += events.Enqueue;

        var result = await updater.UpdateAsync([dead, .. Targets(boards)], V2);

        Assert.Equal(2, result.Updated);
        var failed = Assert.Single(result.Boards, b => b.State == FleetBoardState.Failed);
        Assert.Equal("dead", failed.Target.Name);
        Assert.Equal(3, failed.Attempt);
        Assert.Contains("connection refused", failed.Error);
        Assert.Equal(2, events.Count(e => e.Target == dead && e.State == FleetBoardState.Retrying));
        Assert.False(result.AllUpdated);
    }

    [Fact]
    public async Task After_a_transfer_that_failed_once_connected_the_retry_waits_for_the_boards_receiver_to_restart()
    {
        // A "board" whose receiver fails at once: it takes the header, then resets the connection, every time.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        var failing = Task.Run(async () =>
        {
            for (int i = 0; i < 2; i++)
            {
                using var peer = await listener.AcceptAsync();
                await peer.ReceiveAsync(new byte[12], SocketFlags.None);
                peer.LingerState = new LingerOption(true, 0);
            }
        });
        var target = new FleetTarget("failing", (IPEndPoint)listener.LocalEndPoint!);
        var events = new ConcurrentQueue<(FleetBoardState State, long At)>();
        var updater = new FleetUpdater(new FleetOptions
        {
            Retries = 1, RetryDelay = TimeSpan.FromMilliseconds(10), ReceiverRestartDelay = TimeSpan.FromMilliseconds(400),
            StallTimeout = TimeSpan.FromSeconds(5),
        });
        updater.BoardChanged += s => events.Enqueue((s.State, Environment.TickCount64));

        var result = await updater.UpdateAsync([target], TestImages.Image(2, 256 * 1024));
        await failing;

        Assert.Equal(FleetBoardState.Failed, Assert.Single(result.Boards).State);
        long retrying = events.First(e => e.State == FleetBoardState.Retrying).At;
        long reconnecting = events.Last(e => e.State == FleetBoardState.Connecting).At;
        Assert.True(reconnecting - retrying >= 390, $"retried after {reconnecting - retrying} ms");
    }

    [Fact]
    public async Task A_board_that_never_answers_the_connection_fails_on_its_own_timeout_and_holds_up_no_one()
    {
        // A hung "board": its accept queue is full and never served, so further SYNs go unanswered.
        using var hung = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        hung.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        hung.Listen(0);
        var endPoint = (IPEndPoint)hung.LocalEndPoint!;
        using var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await filler.ConnectAsync(endPoint, new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);   // the one queue place
        await using var boards = await NamedBoards.StartAsync(2);
        var stuck = new FleetTarget("stuck", endPoint);
        var updater = new FleetUpdater(new FleetOptions { MaxParallel = 2, Retries = 0, ConnectTimeout = TimeSpan.FromMilliseconds(500), StallTimeout = TimeSpan.FromMilliseconds(500) });

        var result = await updater.UpdateAsync([stuck, .. Targets(boards)], V2);

        Assert.Equal(2, result.Updated);
        var failed = Assert.Single(result.Boards, b => b.State == FleetBoardState.Failed);
        Assert.Equal("stuck", failed.Target.Name);
        Assert.Contains("no answer within 500 ms", failed.Error);
    }

    [Fact]
    public async Task A_board_that_takes_the_image_but_never_comes_back_fails_without_a_retry()
    {
        // Accepts and reads everything, never reboots, never announces.
        using var sink = new TcpListener(IPAddress.Loopback, 0);
        sink.Start();
        var drained = Task.Run(async () =>
        {
            using var client = await sink.AcceptTcpClientAsync();
            await client.GetStream().CopyToAsync(Stream.Null);
        });
        var target = new FleetTarget("Silent-" + Guid.NewGuid().ToString("n")[..6], (IPEndPoint)sink.LocalEndpoint, ByName: true);
        var updater = new FleetUpdater(new FleetOptions { WaitReboot = TimeSpan.FromSeconds(1), Interface = "lo", Retries = 2 });

        var result = await updater.UpdateAsync([target], V2);

        var board = Assert.Single(result.Boards);
        Assert.Equal(FleetBoardState.Failed, board.State);
        Assert.Equal(1, board.Attempt);
        Assert.Contains("did not announce itself again within 1 s", board.Error);
        await drained;
    }

    [Fact]
    public async Task Boards_still_queued_when_the_run_is_cancelled_are_skipped()
    {
        await using var boards = await NamedBoards.StartAsync(1);
        using var cts = new CancellationTokenSource();
        var updater = new FleetUpdater(new FleetOptions { MaxParallel = 1, WaitReboot = TimeSpan.FromSeconds(30), Interface = "lo" });
        // One slot: cancel while the first board is connecting, so the second is still queued.
        updater.BoardChanged += s => { if (s.State == FleetBoardState.Connecting) cts.Cancel(); };
        var late = new FleetTarget("late", new IPEndPoint(IPAddress.Loopback, TestImages.UnusedPort()));

        var result = await updater.UpdateAsync([.. Targets(boards), late], V2, cts.Token);

        // Whichever board took the slot was cancelled while connecting; the other never started.
        Assert.Single(result.Boards, b => b.State == FleetBoardState.Skipped);
        Assert.Equal("cancelled", Assert.Single(result.Boards, b => b.State == FleetBoardState.Cancelled).Error);
    }
}
