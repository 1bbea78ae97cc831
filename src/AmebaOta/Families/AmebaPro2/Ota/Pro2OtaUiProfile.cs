using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Board;

namespace AmebaOta.Families.AmebaPro2.Ota;

/// <summary>
/// The AMB82-mini's OTA UI board (library <c>OTA</c>: <c>OTA.cpp</c>, <c>ota_drv.c</c>; core <c>ard_socket.c</c>,
/// <c>server_drv.cpp</c>): its socket prints, its listener that closes 500 ms after the echo, and
/// <see cref="Pro2HttpUpdate"/> into the slot that is not running. <c>ota_platform_reset</c> resets at once.
/// </summary>
public sealed class Pro2OtaUiProfile : OtaUiBoardProfile
{
    /// <summary>The one instance.</summary>
    public static Pro2OtaUiProfile Instance { get; } = new();

    private Pro2OtaUiProfile() { }

    /// <inheritdoc />
    public override OtaUiFamily Family => OtaUiFamily.AmebaPro2;
    /// <inheritdoc />
    public override string ClientSocketCreated => "\r\n[INFO] Create socket successfully\n";
    /// <inheritdoc />
    public override string ClientConnected => "\r\n[INFO] Connect to Server successfully!\r\n";
    /// <inheritdoc />
    public override string ClientConnectFailed => "\r\n[ERROR] start_client Connect to server failed\n";
    /// <inheritdoc />
    public override IReadOnlyList<string> ServerBegin { get; } = ["\r\n[INFO] Create TCP socket successfully\n"];
    /// <inheritdoc />
    public override string Accepted(IPEndPoint peer) => $"\r\n[INFO] A client connected to this server :\r\n[PORT]: {peer.Port}\r\n[IP]:{peer.Address}\r\n\r\n";
    /// <inheritdoc />
    public override string? HeartbeatThreadStarted => "[OTA] Keep-alive connectivity thread created successfully.";
    /// <inheritdoc />
    public override string? ListenerThreadStarted => "[OTA] Start OTA process thread created successfully.";
    /// <inheritdoc />
    public override bool ClosesAfterEcho => true;
    /// <inheritdoc />
    public override TimeSpan PlatformResetDelay => TimeSpan.Zero;

    /// <inheritdoc />
    public override Task<int> HttpUpdateAsync(PullBoard board, IBootOutcome? boot, string host, int port, string resource, CancellationToken cancellationToken) =>
        new Pro2HttpUpdate(board).RunAsync(host, port, resource, (boot as Pro2BootOutcome)?.ChosenSlot, cancellationToken);
}
