using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AmebaOta.Families;
using AmebaOta.Families.AmebaD;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Families.AmebaD;

/// <summary>
/// The host's AmebaD push against a plain socket that reads as <c>OTA::beginOTA</c> does (docs/reference section 11.4):
/// 12 bytes, the 32-byte OTA header, an erase reading nothing, then at most 512 bytes a read with a 3 s receive timeout,
/// until <c>ImgLen</c> bytes; then it closes. What goes on the wire, how long the board waits on the host, and the words.
/// </summary>
public sealed class AmebaDPushSenderTests
{
    private static readonly PushSender Sender = BoardFamilies.AmebaD.Push!;

    [Fact]
    public async Task A_km0_km4_image2_goes_out_as_OTA_All_after_the_preamble_and_the_board_s_close_is_awaited()
    {
        var image = Sender.Prepare(AmebaDImageFile.Parse(AmebaDImages.Image(2, 300_000)));
        using var listener = Listen();
        var board = Task.Run(() => StockReceiver(listener, erase: TimeSpan.Zero, closeAfter: TimeSpan.FromMilliseconds(150)));

        var result = await Sender.SendAsync(EndPoint(listener), image);
        var seen = await board;

        var otaAll = AmebaDImageFile.Parse(AmebaDImages.Image(2, 300_000)).ToOtaAll().Bytes;
        Assert.Equal([.. OtaHeader.For(otaAll).ToArray(), .. otaAll], seen.Bytes);
        Assert.Equal(otaAll, image.Bytes);
        Assert.Single(image.Notes, n => n.Contains("sent as OTA_All.bin", StringComparison.Ordinal));
        Assert.NotNull(result.BoardClose);
        Assert.False(result.BoardClose!.Reset);
        Assert.InRange(result.BoardClose.After, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.Contains("it closes the same way when the checksum does not match", Sender.AfterUpload(result));
    }

    [Fact]
    public async Task An_erase_longer_than_the_board_s_3_s_receive_timeout_never_leaves_it_waiting_on_the_host()
    {
        // A 4 s erase (longer than SO_RCVTIMEO), then every read must find data at once: the host's kernel holds what the
        // board's window refused, and the host itself never pauses; its stall budget allows the erase.
        var image = Sender.Prepare(AmebaDImageFile.Parse(AmebaDImages.Image(2, 200_000)));
        using var listener = Listen();
        var board = Task.Run(() => StockReceiver(listener, erase: TimeSpan.FromSeconds(4), closeAfter: TimeSpan.FromMilliseconds(100)));

        var result = await Sender.SendAsync(EndPoint(listener), image);
        var seen = await board;

        Assert.Equal(OtaHeader.Size + image.Length, seen.Bytes.Length);
        Assert.True(seen.LongestReadWait < TimeSpan.FromSeconds(1), $"the board waited {seen.LongestReadWait.TotalMilliseconds:0} ms for data after its erase");
        Assert.NotNull(result.EraseWait);
        Assert.InRange(result.EraseWait!.Value, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(10));
        Assert.True(Sender.DefaultStall(image) >= Sender.Slow(image).Erase + TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void The_stall_budget_covers_the_slowest_erase_of_a_1_MB_image()
    {
        var image = Sender.Prepare(AmebaDImageFile.Parse(AmebaDImages.Image(2, 1_000_000)));
        var slow = Sender.Slow(image);
        Assert.Equal(245, slow.Sectors);   // ceil(1,000,000 / 4096): the image, not the 32-byte header
        Assert.Equal(TimeSpan.FromMilliseconds(245 * 400), slow.Erase);
        Assert.Equal(slow.Erase + OtaUploadBudget.StallMargin, Sender.DefaultStall(image));
        Assert.Null(Sender.ShortStallWarning(Sender.DefaultStall(image), image));
        Assert.Contains("245 sectors", Sender.ShortStallWarning(TimeSpan.FromSeconds(3), image));
    }

    [Fact]
    public void Port_8082_whatever_mdns_advertises_and_one_line_says_so()
    {
        Assert.Equal(8082, Sender.PortFor(5000));
        Assert.Equal(8082, Sender.PortFor(1234));
        Assert.Contains("advertises port 5000 but listens on 8082", Sender.PortNote(5000));
        Assert.Null(Sender.PortNote(8082));
        Assert.Equal(5123, BoardFamilies.Ameba1.Push!.PortFor(5123));
    }

    [Fact]
    public async Task A_reset_mid_transfer_says_what_the_board_prints_and_that_it_needs_a_reset()
    {
        var image = Sender.Prepare(AmebaDImageFile.Parse(AmebaDImages.Image(2, 2_000_000 - 4096)));
        using var listener = WireCapture.SmallBufferListener();
        var resetter = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            await ReadExactly(peer, 2000);
            peer.LingerState = new LingerOption(true, 0);
            peer.Close();
        });
        var e = await Assert.ThrowsAsync<OtaUploadException>(() => Sender.SendAsync((IPEndPoint)listener.LocalEndPoint!, image));
        await resetter;
        Assert.Equal(OtaUploadFailure.Dropped, e.Failure);

        var refused = await Assert.ThrowsAsync<OtaUploadException>(() => Sender.SendAsync(new IPEndPoint(IPAddress.Loopback, TestImages.UnusedPort()), image));
        Assert.Equal(OtaUploadFailure.ConnectionRefused, refused.Failure);
        Assert.Contains("nothing listens on 8082 until the board is reset", Sender.Explain(refused));
    }

    [Fact]
    public async Task A_board_that_announced_itself_but_listens_3_s_later_is_tried_again_and_one_that_never_listens_fails_after_the_lag()
    {
        // OTA_Basic registers mDNS about 3 s before beginOTA listens: a host that found it at once meets refusals meanwhile.
        var image = Sender.Prepare(AmebaDImageFile.Parse(AmebaDImages.OtaAll(2)));
        int port = TestImages.UnusedPort();
        var clock = Stopwatch.StartNew();
        var sending = Sender.SendAsync(new IPEndPoint(IPAddress.Loopback, port), image);
        await Task.Delay(TimeSpan.FromSeconds(3));   // the board's own time to listen is the point here
        Assert.False(sending.IsCompleted);
        var board = await AmebaDReceiverHarness.StartAsync(AmebaDImages.ChipWith(AmebaDImages.Image(1)), port: port);
        var result = await sending;
        Assert.Equal(AmebaOta.Families.AmebaD.Push.AmebaDReceiveOutcome.Success, (await board.FinishAsync()).Outcome);
        Assert.True(result.BytesSent >= image.Length, $"{result.BytesSent} bytes sent");

        clock.Restart();
        var refused = await Assert.ThrowsAsync<OtaUploadException>(() => Sender.SendAsync(new IPEndPoint(IPAddress.Loopback, TestImages.UnusedPort()), image));
        Assert.Equal(OtaUploadFailure.ConnectionRefused, refused.Failure);
        Assert.InRange(clock.Elapsed, Sender.ListenLag - TimeSpan.FromSeconds(0.5), Sender.ListenLag + TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.Zero, BoardFamilies.Ameba1.Push!.ListenLag);
    }

    private sealed record Seen(byte[] Bytes, TimeSpan LongestReadWait);

    private static Socket Listen()
    {
        // lwIP's receive window on the RTL8721D is 5 × 1460 bytes: a small buffer stands for it.
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 8192 };
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(10);
        return listener;
    }

    private static IPEndPoint EndPoint(Socket listener) => (IPEndPoint)listener.LocalEndPoint!;

    /// <summary>Reads as OTA::beginOTA does, with the 3 s receive timeout on every read; closes once it has the image.</summary>
    private static async Task<Seen> StockReceiver(Socket listener, TimeSpan erase, TimeSpan closeAfter)
    {
        using var peer = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(20));
        peer.ReceiveTimeout = 3000;
        var bytes = new List<byte>();
        bytes.AddRange(ReadExactlyBlocking(peer, 12));
        var header = ReadExactlyBlocking(peer, 32);
        bytes.AddRange(header);
        uint imgLen = BitConverter.ToUInt32(header, 20);
        await Task.Delay(erase);
        var longest = TimeSpan.Zero;
        var buffer = new byte[512];
        long left = imgLen;
        while (left > 0)
        {
            var clock = Stopwatch.StartNew();
            int n = peer.Receive(buffer, (int)Math.Min(buffer.Length, left), SocketFlags.None);   // throws on the 3 s timeout, as the board fails
            if (clock.Elapsed > longest) longest = clock.Elapsed;
            if (n == 0) break;
            bytes.AddRange(buffer[..n]);
            left -= n;
        }
        await Task.Delay(closeAfter);
        peer.Close();
        return new Seen([.. bytes], longest);
    }

    private static byte[] ReadExactlyBlocking(Socket peer, int count)
    {
        var bytes = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = peer.Receive(bytes, got, count - got, SocketFlags.None);
            if (n == 0) throw new EndOfStreamException();
            got += n;
        }
        return bytes;
    }

    private static async Task ReadExactly(Socket peer, int count)
    {
        var buffer = new byte[count];
        for (int got = 0; got < count;) got += await peer.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None);
    }
}
