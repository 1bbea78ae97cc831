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
public static class AmebaDOtaUiProfile
{
    /// <summary>The one instance.</summary>
    public static OtaUiBoardProfile Instance { get; } = new()
    {
        Family = OtaUiFamily.AmebaD,
        ClientSocketCreated = "\r\n [INFO] Create socket successfully\n",
        ClientConnected = "\r\n[INFO] Connect to Server successfully!\r\n",
        ClientConnectFailed = "\r\n [ERROR] Connect to server failed\n",
        ServerBegin =
        [
            "\r\n [INFO] server_drv.cpp: WiFi server is set to non-blocking mode\r\n",
            "\r\n [INFO] Listen socket successfully\n",
            "\n[INFO] Socket connect successfully \n\r",
        ],
        Accepted = peer => $"\r\n [INFO] Accept connection successfully\n\r\n A client connected to this server :\r\n[PORT]: {peer.Port}\r\n[IP]:{peer.Address}\r\n\r\n",
        ClosesAfterEcho = false,
        TriggerReceived = "\n[OTA] Received start OTA signal from UI.",
        PlatformResetDelay = TimeSpan.FromMilliseconds(100),
        HttpUpdateAsync = (board, boot, host, port, resource, cancellationToken) =>
            new AmebaDHttpUpdate(board).RunAsync(host, port, resource, boot is AmebaDBootResult { Bank: { } bank } ? bank : OtaBank.Ota1, cancellationToken),
    };
}
