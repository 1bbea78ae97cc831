using System.Net;
using System.Net.Sockets;
using AmebaOta.Device;
using AmebaOta.Device.Families.AmebaD;
using AmebaOta.Device.Sketches;
using AmebaOta.Discovery;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Flash;
using AmebaOta.Tests.Device;
using AmebaOta.Tests.Discovery;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Families.AmebaD;

/// <summary>A virtual AmebaD running OTA_Basic, with the real mDNS responder on loopback and real sockets.</summary>
public sealed class AmebaDVirtualBoardTests
{
    internal static readonly SketchTiming Fast = new()
    {
        ConnectWait = TimeSpan.FromMilliseconds(20),
        MdnsRegistration = TimeSpan.FromMilliseconds(20),
    };

    internal const string Waiting = "Waiting for client ...";

    internal static BoardHarness Board(TempDir dir, NorFlash chip, bool mdns = false, WifiNetwork? wifi = null) =>
        new(dir, chip, o => o with
        {
            Family = AmebaDVirtualFamily.Instance,
            ReceiveTimeout = TimeSpan.FromSeconds(3),
            Timing = Fast,
            Wifi = wifi ?? new WifiNetwork(),
            AdvertiserFactory = mdns ? () => MdnsLoopbackTests.Responder() : null,
        });

    [Fact]
    public async Task Ota_basic_prints_the_stock_lines_advertises_5000_with_the_four_txt_records_in_order_and_listens_elsewhere()
    {
        string name = MdnsLoopbackTests.UniqueName("MyAmebaD");
        using var dir = new TempDir();
        var chip = AmebaDImages.ChipWith(AmebaDImageBuilderFor(1, name));
        await using var board = Board(dir, chip, mdns: true);
        var endPoint = await board.WaitForClientAsync(line: Waiting);

        string[] expected =
        [
            AmebaDBootLoader.Ota1Use,
            "#calibration_ok:[2:19:11]",
            "interface 0 is initialized",
            "interface 1 is initialized",
            "",
            "Initializing WIFI ...",
            "WIFI initialized",
            "",
            "[MAIN] Attempting to connect to SSID: yourNetwork",
            "",
            "RTL8721D[Driver]: set ssid [yourNetwork]",
            "",
            "RTL8721D[Driver]: association success(res=3)",
            "",
            "Interface 0 IP address : 127.0.0.1",
            "",
            "SSID: yourNetwork",
            "IP Address: 127.0.0.1",
            "signal strength (RSSI):-47 dBm",
            "Start mDNS service",
            "register mDNS service",
            "[beginOTA] Alloc buffer Init",
            "[beginOTA] Alloc buffer Succeed",
            "<Arduino>",
            $"Listening on port {endPoint.Port}.",
            Waiting,
        ];
        var lines = board.Serial.Lines;
        Assert.Equal(expected, lines[..1].Concat(lines[7..]).ToArray());

        var found = await BoardResolver.ResolveAsync(name, MdnsLoopbackTests.Lo, TimeSpan.FromSeconds(5));
        Assert.NotNull(found);
        Assert.Equal(5000, found.Port);
        Assert.NotEqual(5000, endPoint.Port);
        Assert.Equal(["board=ameba_rtl8721d", "auth_upload=no", "tcp_check=no", "ssh_upload=no"], found.Txt.Select(p => $"{p.Key}={p.Value}"));
        Assert.Same(AmebaOta.Families.BoardFamilies.AmebaD, found.Family);
    }

    [Fact]
    public async Task An_update_reboots_into_ota2_through_the_watchdog_and_the_board_listens_again()
    {
        using var dir = new TempDir();
        await using var board = Board(dir, AmebaDImages.ChipWith(AmebaDImages.Image(1)));
        var endPoint = await board.WaitForClientAsync(line: Waiting);
        await AmebaDRawSender.SendAsync(endPoint, AmebaDImages.OtaAll(2));
        await board.Serial.WaitForAsync(AmebaDBootLoader.Ota2Use);
        var again = await board.WaitForClientAsync(2, Waiting);
        Assert.Equal(endPoint, again);
        Assert.IsType<AmebaDBootResult>(board.Board.LastBoot);
        Assert.Equal(2u, board.Board.LastBoot!.Sketch?.Version);
        var exit = Array.IndexOf(board.Serial.Lines, "[beginOTA] Update task exit");
        Assert.Equal(AmebaDBootLoader.Ota2Use, board.Serial.Lines[exit + 1]);

        var flash = await board.PowerOffAsync();
        Assert.Equal(OtaBank.Ota2, AmebaDBootLoader.Boot(flash).Bank);
    }

    [Fact]
    public async Task After_a_failure_nothing_listens_until_reset_while_mdns_still_answers()
    {
        string name = MdnsLoopbackTests.UniqueName("OneShot");
        using var dir = new TempDir();
        await using var board = Board(dir, AmebaDImages.ChipWith(AmebaDImageBuilderFor(1, name)), mdns: true);
        var endPoint = await board.WaitForClientAsync(line: Waiting);
        var bad = AmebaDImages.OtaAll(2);
        bad[16] ^= 0xFF;   // header checksum
        await AmebaDRawSender.SendAsync(endPoint, bad);
        await board.Serial.WaitForAsync("[beginOTA] Update task exit");

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var e = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(endPoint));
            Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
        }
        Assert.NotNull(await BoardResolver.ResolveAsync(name, MdnsLoopbackTests.Lo, TimeSpan.FromSeconds(5)));
        Assert.Equal(1, board.Board.BootCount);

        board.Board.Reset();
        Assert.Equal(endPoint, await board.WaitForClientAsync(2, Waiting));
        await AmebaDRawSender.SendAsync(endPoint, AmebaDImages.OtaAll(2));
        await board.Serial.WaitForAsync(AmebaDBootLoader.Ota2Use);
    }

    [Fact]
    public async Task The_access_point_down_at_boot_makes_ota_basic_try_every_ten_seconds_until_it_joins()
    {
        using var dir = new TempDir();
        var wifi = new WifiNetwork(up: false);
        await using var board = Board(dir, AmebaDImages.ChipWith(AmebaDImages.Image(1)), wifi: wifi);
        await board.Serial.WaitForAsync("[MAIN] Attempting to connect to SSID: yourNetwork", 3);
        wifi.SetUp(true);
        await board.WaitForClientAsync(line: Waiting);
        Assert.Contains("RTL8721D[Driver]: Connect failed", board.Serial.Lines);
    }

    private static byte[] AmebaDImageBuilderFor(uint version, string name) =>
        AmebaOta.Families.AmebaD.Images.AmebaDImageBuilder.Build(new(AmebaDImages.Sketch(version, name)));
}
