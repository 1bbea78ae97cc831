using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Board;

namespace AmebaOta.Families.AmebaD.Ota;

/// <summary>
/// An AmebaD board running <c>OTA_Http</c> (library <c>OTA</c>: <c>OTA.cpp</c>; core <c>ard_socket.c</c>,
/// <c>server_drv.cpp</c>, <c>WiFiServer.cpp</c>): its socket prints (a non-blocking server), a listener that announces
/// <c>start_ota</c>, then sleeps 10 s and reads the same connection again until the peer closes it, and
/// <see cref="AmebaDHttpUpdate"/>. <c>ota_platform_reset</c> waits 100 ms, then arms the watchdog.
/// </summary>
public sealed class AmebaDOtaUiProfile : OtaUiBoardProfile
{
    /// <summary>The one instance.</summary>
    public static AmebaDOtaUiProfile Instance { get; } = new();

    private AmebaDOtaUiProfile() { }

    /// <inheritdoc />
    public override OtaUiFamily Family => OtaUiFamily.AmebaD;
    /// <inheritdoc />
    public override string ClientSocketCreated => "\r\n [INFO] Create socket successfully\n";
    /// <inheritdoc />
    public override string ClientConnected => "\r\n[INFO] Connect to Server successfully!\r\n";
    /// <inheritdoc />
    public override string ClientConnectFailed => "\r\n [ERROR] Connect to server failed\n";
    /// <inheritdoc />
    public override IReadOnlyList<string> ServerBegin { get; } =
    [
        "\r\n [INFO] server_drv.cpp: WiFi server is set to non-blocking mode\r\n",
        "\r\n [INFO] Listen socket successfully\n",
        "\n[INFO] Socket connect successfully \n\r",
    ];
    /// <inheritdoc />
    public override string Accepted(IPEndPoint peer) =>
        $"\r\n [INFO] Accept connection successfully\n\r\n A client connected to this server :\r\n[PORT]: {peer.Port}\r\n[IP]:{peer.Address}\r\n\r\n";
    /// <inheritdoc />
    public override bool ClosesAfterEcho => false;
    /// <inheritdoc />
    public override string? TriggerReceived => "\n[OTA] Received start OTA signal from UI.";
    /// <inheritdoc />
    public override TimeSpan PlatformResetDelay => TimeSpan.FromMilliseconds(100);

    /// <inheritdoc />
    public override Task<int> HttpUpdateAsync(PullBoard board, IBootOutcome? boot, string host, int port, string resource, CancellationToken cancellationToken) =>
        new AmebaDHttpUpdate(board).RunAsync(host, port, resource, boot is AmebaDBootResult { Bank: { } bank } ? bank : OtaBank.Ota1, cancellationToken);
}
