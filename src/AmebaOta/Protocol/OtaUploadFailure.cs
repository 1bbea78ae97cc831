using System.Net.Sockets;

namespace AmebaOta.Protocol;

/// <summary>Why an upload failed. The first three mean nothing was sent; the others mean the board may have a partial image (and will keep booting the old one).</summary>
public enum OtaUploadFailure
{
    /// <summary>Nothing listens on the port (TCP RST to the SYN).</summary>
    ConnectionRefused,
    /// <summary>No route to the address.</summary>
    Unreachable,
    /// <summary>No answer to the SYN within the connect timeout (board off, wrong address, or its backlog is full).</summary>
    ConnectTimedOut,
    /// <summary>The board closed or reset the connection before every byte was sent.</summary>
    Dropped,
    /// <summary>The board stopped reading: nothing acknowledged for the stall timeout. The connection was reset.</summary>
    Stalled,
    /// <summary>Cancelled (Ctrl+C, SIGTERM, the caller's token). The connection, if open, was reset.</summary>
    Interrupted,
    /// <summary>The peer sent data back, which a stock receiver never does: a wrong port or another service. The connection was reset.</summary>
    NotAReceiver,
}

/// <summary>A failed upload, with a one-line message for people.</summary>
public sealed class OtaUploadException(OtaUploadFailure failure, string message, long bytesSent = 0, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>Why the upload failed.</summary>
    public OtaUploadFailure Failure { get; } = failure;

    /// <summary>Bytes of the file (not counting the header) the board had acknowledged before the failure.</summary>
    public long BytesSent { get; } = bytesSent;

    /// <summary>True when the connection was never made (a connect failure, or an interruption before it): the board cannot have been touched.</summary>
    public bool NothingSent { get; init; } = failure is OtaUploadFailure.ConnectionRefused or OtaUploadFailure.Unreachable or OtaUploadFailure.ConnectTimedOut;

    /// <summary>True when the connection was never made: the board cannot have been touched.</summary>
    public bool IsConnectFailure => Failure is OtaUploadFailure.ConnectionRefused or OtaUploadFailure.Unreachable or OtaUploadFailure.ConnectTimedOut;

    internal static OtaUploadFailure ClassifyConnect(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => OtaUploadFailure.ConnectionRefused,
        SocketError.TimedOut => OtaUploadFailure.ConnectTimedOut,
        _ => OtaUploadFailure.Unreachable,
    };
}
