using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Discovery;

/// <summary>
/// <see cref="RebootWatcher"/> on lo against a real responder and against hand-made packets from a "board" that resets the
/// way real hardware does: no goodbye, then a probe and an announcement.
/// </summary>
public class RebootWatcherTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    private static string UniqueName() => "Reboot-" + Guid.NewGuid().ToString("n")[..8];

    private static ServiceRecords Records(string name, int port) =>
        new(new ServiceAdvertisement(name, name, IPAddress.Loopback, (ushort)port, ArduinoService.StockTxt), name, name);

    private static RawMdnsSocket Board() => new(new IPEndPoint(IPAddress.Any, 0));

    /// <summary>Returns once the watcher has handled everything <paramref name="board"/> sent so far (packets are handled in order).</summary>
    private static async Task HeardAsync(RebootWatcher watcher, RawMdnsSocket board)
    {
        string marker = UniqueName();
        using var watch = watcher.Watch(marker);
        watch.UploadFinished();
        board.Send(Records(marker, 1).Probe(unicastResponse: false));
        board.Send(Records(marker, 1).Announcement());
        Assert.True((await watch.WaitAsync(Long)).Rebooted);
    }

    [Fact]
    public async Task A_board_that_resets_without_a_goodbye_is_back_when_it_probes_and_announces_again()
    {
        string name = UniqueName();
        var records = Records(name, 5000);
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(name);
        using var board = Board();
        watch.UploadFinished();
        board.Send(records.Probe(unicastResponse: true));
        board.Send(records.Announcement());
        var result = await watch.WaitAsync(Long);
        Assert.True(result.Rebooted);
        Assert.False(result.GoodbyeSeen);
        Assert.True(result.ProbeSeen);
        Assert.True(result.Elapsed < Long);
    }

    [Fact]
    public async Task A_board_that_went_down_before_the_last_byte_was_acknowledged_is_not_back_when_it_announces()
    {
        string name = UniqueName();
        var records = Records(name, 5000);
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(name);
        using var board = Board();
        // A power cut mid-transfer: the board boots its old image and probes while the host still waits for acknowledgements.
        board.Send(records.Probe(unicastResponse: false));
        await HeardAsync(watcher, board);
        watch.UploadFinished();
        board.Send(records.Announcement());
        var result = await watch.WaitAsync(Short);
        Assert.False(result.Rebooted);
        Assert.True(result.WentDownDuringUpload);
        Assert.False(result.ProbeSeen);
    }

    [Fact]
    public async Task Watching_by_address_and_port_ignores_other_boards_on_the_same_address()
    {
        int port = TestImages.UnusedPort();
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(new IPEndPoint(IPAddress.Loopback, port));
        using var board = Board();
        watch.UploadFinished();
        var other = Records(UniqueName(), port == 65535 ? port - 1 : port + 1);
        board.Send(other.Probe(unicastResponse: false));
        board.Send(other.Announcement());
        Assert.False((await watch.WaitAsync(Short)).Rebooted);

        string name = UniqueName();
        using var second = watcher.Watch(new IPEndPoint(IPAddress.Loopback, port));
        second.UploadFinished();
        // Probe then announce, as a rebooting board does: an announcement alone is judged by how quiet the network
        // was, and other tests query on this same loopback all the time.
        board.Send(Records(name, port).Probe(unicastResponse: false));
        board.Send(Records(name, port).Announcement());
        var result = await second.WaitAsync(Long);
        Assert.True(result.Rebooted);
        Assert.Equal(name, second.InstanceName);
    }

    [Fact]
    public async Task An_announcement_before_the_upload_finished_does_not_count()
    {
        string name = UniqueName();
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(name);
        using var board = Board();
        board.Send(Records(name, 5000).Announcement());
        await HeardAsync(watcher, board);   // the watcher has heard it: only now does our upload "finish"
        watch.UploadFinished();
        Assert.False((await watch.WaitAsync(Short)).Rebooted);
    }

    [Fact]
    public async Task A_board_that_never_went_down_answering_someone_elses_query_is_not_a_reboot()
    {
        string name = UniqueName();
        // One announcement, sent before StartAsync returns: what follows are answers only.
        await using var responder = new MdnsResponder(new MdnsResponderOptions { Interface = MdnsLoopbackTests.Lo, AnnouncementCount = 1 });
        await responder.StartAsync(new ServiceAdvertisement(name, name, IPAddress.Loopback, 5000, ArduinoService.StockTxt));
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(name);
        watch.UploadFinished();

        // Another host browses while we wait: the board answers, but that answer is no announcement.
        var found = await BoardResolver.ResolveAsync(name, "lo", TimeSpan.FromSeconds(3));
        Assert.NotNull(found);
        var result = await watch.WaitAsync(Short);
        Assert.False(result.Rebooted);
        Assert.False(result.ProbeSeen);
    }

    [Fact]
    public async Task A_repeated_announcement_of_the_previous_boot_is_not_a_reboot_but_a_probe_then_an_announcement_is()
    {
        string name = UniqueName();
        var records = Records(name, 5000);
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(name);
        using var board = Board();
        board.Send(records.Announcement());                     // the board booted a moment ago and announces
        await HeardAsync(watcher, board);
        watch.UploadFinished();
        board.Send(records.Announcement());                     // its second announcement, 1 s after the first (RFC 6762 §8.3)
        Assert.False((await watch.WaitAsync(Short)).Rebooted);

        using var again = watcher.Watch(name);
        again.UploadFinished();
        board.Send(records.Probe(unicastResponse: false));      // now it really reboots: probe, then announce
        board.Send(records.Announcement());
        Assert.True((await again.WaitAsync(Long)).Rebooted);
    }

    [Fact]
    public async Task A_late_answer_to_a_query_made_before_the_watcher_opened_is_not_a_reboot()
    {
        string name = UniqueName();
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(name);
        watch.UploadFinished();
        using var board = Board();
        board.Send(Records(name, 5000).Announcement());         // e.g. the delayed PTR answer to upload --device's own lookup
        Assert.False((await watch.WaitAsync(TimeSpan.FromMilliseconds(300))).Rebooted);
    }

    [Fact]
    public async Task A_responder_restarted_with_a_goodbye_is_back_after_its_new_announcement()
    {
        string name = UniqueName();
        var advertisement = new ServiceAdvertisement(name, name, IPAddress.Loopback, 5000, ArduinoService.StockTxt);
        await using var responder = MdnsLoopbackTests.Responder();
        await responder.StartAsync(advertisement);
        await using var watcher = new RebootWatcher("lo");
        using var watch = watcher.Watch(name);
        watch.UploadFinished();
        await responder.StopAsync();
        await responder.StartAsync(advertisement);
        var result = await watch.WaitAsync(Long);
        Assert.True(result.Rebooted);
        Assert.True(result.GoodbyeSeen);
        Assert.True(result.ProbeSeen);
    }
}
