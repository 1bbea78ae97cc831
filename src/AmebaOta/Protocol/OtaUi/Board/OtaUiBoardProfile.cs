using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families;

namespace AmebaOta.Protocol.OtaUi.Board;

/// <summary>
/// What differs between the two families' OTA UI boards (docs/reference section 12): the Arduino core's socket prints
/// (<c>ard_socket.c</c>, <c>server_drv.cpp</c>, <c>WiFiServer.cpp</c>), the trigger listener's loop (AmebaPro2 closes 500 ms
/// after the echo; AmebaD reads the same connection again every 10 s and announces the trigger), the lines the library
/// prints as it starts its threads, and the SDK's <c>http_update_ota</c> with its flash writer. One instance per family.
/// </summary>
public sealed record OtaUiBoardProfile
{
    /// <summary>Which family's SDK and core this is.</summary>
    public required OtaUiFamily Family { get; init; }

    /// <summary><c>start_client</c>'s print once the socket exists (before <c>connect</c>).</summary>
    public required string ClientSocketCreated { get; init; }

    /// <summary><c>start_client</c>'s print after a successful <c>connect</c>.</summary>
    public required string ClientConnected { get; init; }

    /// <summary><c>start_client</c>'s print after a failed <c>connect</c> (the library then prints <c>Connection to server failed</c>).</summary>
    public required string ClientConnectFailed { get; init; }

    /// <summary>What <c>WiFiServer::begin()</c> prints (socket, listen, begin), in order.</summary>
    public required IReadOnlyList<string> ServerBegin { get; init; }

    /// <summary><c>get_available</c>'s prints for an accepted connection from the peer.</summary>
    public required Func<IPEndPoint, string> Accepted { get; init; }

    /// <summary>The line <c>start_OTA_threads</c> prints once the heartbeat thread exists (null: none).</summary>
    public string? HeartbeatThreadStarted { get; init; }

    /// <summary>The line <c>start_OTA_threads</c> prints once the listener thread exists (null: none).</summary>
    public string? ListenerThreadStarted { get; init; }

    /// <summary>True when the listener closes the connection after one read and 500 ms (AmebaPro2); false when it sleeps
    /// 10 s and reads the same connection again until the peer closes it (AmebaD).</summary>
    public required bool ClosesAfterEcho { get; init; }

    /// <summary>The line printed when a read holds <c>start_ota</c>, whatever the state (null: none).</summary>
    public string? TriggerReceived { get; init; }

    /// <summary>The wait inside <c>ota_platform_reset</c> before the chip resets.</summary>
    public required TimeSpan PlatformResetDelay { get; init; }

    /// <summary>The SDK's <c>http_update_ota</c> (see <see cref="OtaUiHttpUpdate"/>).</summary>
    public required OtaUiHttpUpdate HttpUpdateAsync { get; init; }
}

/// <summary>
/// The SDK's <c>http_update_ota(host, port, resource)</c> on <paramref name="board"/>, which booted as
/// <paramref name="boot"/> says: 0 when the new firmware is written and marked valid, anything else on failure. A
/// flaw that crashes a real board throws <see cref="BoardCrashException"/>.
/// </summary>
public delegate Task<int> OtaUiHttpUpdate(PullBoard board, IBootOutcome? boot, string host, int port, string resource, CancellationToken cancellationToken);

/// <summary>The SDK code hit a flaw that crashes a real board (it writes outside its buffer): everything stops until a reset.</summary>
public sealed class BoardCrashException(string message) : Exception(message);
