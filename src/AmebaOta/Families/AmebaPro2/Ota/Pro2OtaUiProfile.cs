using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Board;

namespace AmebaOta.Families.AmebaPro2.Ota;

/// <summary>
/// The AMB82-mini's OTA UI board (library <c>OTA</c>: <c>OTA.cpp</c>, <c>ota_drv.c</c>; core <c>ard_socket.c</c>,
/// <c>server_drv.cpp</c>): its socket prints, its listener that closes 500 ms after the echo, and
/// <see cref="Pro2HttpUpdate"/> into the slot that is not running. <c>ota_platform_reset</c> resets at once.
/// </summary>
public static class Pro2OtaUiProfile
{
    /// <summary>The one instance.</summary>
    public static OtaUiBoardProfile Instance { get; } = new()
    {
        Family = OtaUiFamily.AmebaPro2,
        ClientSocketCreated = "\r\n[INFO] Create socket successfully\n",
        ClientConnected = "\r\n[INFO] Connect to Server successfully!\r\n",
        ClientConnectFailed = "\r\n[ERROR] start_client Connect to server failed\n",
        ServerBegin = ["\r\n[INFO] Create TCP socket successfully\n"],
        Accepted = peer => $"\r\n[INFO] A client connected to this server :\r\n[PORT]: {peer.Port}\r\n[IP]:{peer.Address}\r\n\r\n",
        HeartbeatThreadStarted = "[OTA] Keep-alive connectivity thread created successfully.",
        ListenerThreadStarted = "[OTA] Start OTA process thread created successfully.",
        ClosesAfterEcho = true,
        PlatformResetDelay = TimeSpan.Zero,
        HttpUpdateAsync = (board, boot, host, port, resource, cancellationToken) =>
            new Pro2HttpUpdate(board).RunAsync(host, port, resource, (boot as Pro2BootOutcome)?.ChosenSlot, cancellationToken),
    };
}
