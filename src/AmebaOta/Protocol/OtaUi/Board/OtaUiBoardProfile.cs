using System.Net;
using AmebaOta.Boards;
using AmebaOta.Families;

namespace AmebaOta.Protocol.OtaUi.Board;

/// <summary>
/// What differs between the two families' OTA UI boards (docs/reference section 11.2): the Arduino core's socket prints
/// (<c>ard_socket.c</c>, <c>server_drv.cpp</c>, <c>WiFiServer.cpp</c>), the trigger listener's loop (AmebaPro2 closes 500 ms
/// after the echo; AmebaD reads the same connection again every 10 s and announces the trigger), the lines the library
/// prints as it starts its threads, and the SDK's <c>http_update_ota</c> with its flash writer.
/// </summary>
public abstract class OtaUiBoardProfile
{
    /// <summary>Which family's SDK and core this is.</summary>
    public abstract OtaUiFamily Family { get; }

    /// <summary><c>start_client</c>'s print once the socket exists (before <c>connect</c>).</summary>
    public abstract string ClientSocketCreated { get; }

    /// <summary><c>start_client</c>'s print after a successful <c>connect</c>.</summary>
    public abstract string ClientConnected { get; }

    /// <summary><c>start_client</c>'s print after a failed <c>connect</c> (the library then prints <c>Connection to server failed</c>).</summary>
    public abstract string ClientConnectFailed { get; }

    /// <summary>What <c>WiFiServer::begin()</c> prints (socket, listen, begin), in order.</summary>
    public abstract IReadOnlyList<string> ServerBegin { get; }

    /// <summary><c>get_available</c>'s prints for an accepted connection from <paramref name="peer"/>.</summary>
    public abstract string Accepted(IPEndPoint peer);

    /// <summary>The line <c>start_OTA_threads</c> prints once the heartbeat thread exists (null: none).</summary>
    public virtual string? HeartbeatThreadStarted => null;

    /// <summary>The line <c>start_OTA_threads</c> prints once the listener thread exists (null: none).</summary>
    public virtual string? ListenerThreadStarted => null;

    /// <summary>True when the listener closes the connection after one read and 500 ms (AmebaPro2); false when it sleeps
    /// 10 s and reads the same connection again until the peer closes it (AmebaD).</summary>
    public abstract bool ClosesAfterEcho { get; }

    /// <summary>The line printed when a read holds <c>start_ota</c>, whatever the state (null: none).</summary>
    public virtual string? TriggerReceived => null;

    /// <summary>The wait inside <c>ota_platform_reset</c> before the chip resets.</summary>
    public abstract TimeSpan PlatformResetDelay { get; }

    /// <summary>
    /// The SDK's <c>http_update_ota(host, port, resource)</c> on <paramref name="board"/>, which booted as
    /// <paramref name="boot"/> says: 0 when the new firmware is written and marked valid, anything else on failure. A
    /// flaw that crashes a real board throws <see cref="BoardCrashException"/>.
    /// </summary>
    public abstract Task<int> HttpUpdateAsync(PullBoard board, IBootOutcome? boot, string host, int port, string resource, CancellationToken cancellationToken);
}

/// <summary>The SDK code hit a flaw that crashes a real board (it writes outside its buffer): everything stops until a reset.</summary>
public sealed class BoardCrashException(string message) : Exception(message);
