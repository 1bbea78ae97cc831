using System.Net;
using AmebaOta.Boards;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.Lwip;

namespace AmebaOta.Protocol.OtaUi.Board;

/// <summary>
/// What one family's SDK does differently in the start of <c>http_update_ota</c> that both share: the response-head
/// rules (which spellings of <c>Content-Length</c>), the read buffer's size, the line <c>update_ota_http_connect_server</c>
/// prints once its socket exists (null: none), and where its failure lines put their newline (AmebaD's end with
/// <c>\n</c>, AmebaPro2's start with <c>\n\r</c>).
/// </summary>
public sealed record SdkHttpUpdateStyle(SdkHttpHeadRules Rules, int BufferSize, string? SocketCreated, string LineStart, string LineEnd)
{
    /// <summary>One of <c>http_update_ota</c>'s own lines, as this SDK prints it.</summary>
    public string Line(string text) => $"{LineStart}[http_update_ota] {text}{LineEnd}";
}

/// <summary>
/// The start of the SDK's <c>http_update_ota</c> as AmebaD (<c>rtl8721d_ota.c</c>) and AmebaPro2 (<c>ota_8735b.c</c>)
/// both write it (docs/reference section 12.4): connect (<c>update_ota_http_connect_server</c>), print <c>\n\r</c>, write
/// the request in one <c>write()</c>, then read the response head <see cref="SdkHttpUpdateStyle.BufferSize"/> bytes at a
/// time, the buffer cleared before each read and the head's last 32 bytes carried over, until the parser has the whole
/// head, refuses it, or finds a 302. What follows (the body into flash) is each family's own.
/// </summary>
public sealed class SdkHttpDownload(PullBoard board, SdkHttpUpdateStyle style) : IDisposable
{
    /// <summary>The SDK's buffer (with the parser's look-ahead): after <see cref="OpenAsync"/>, the head and the first body bytes.</summary>
    public byte[] Buffer { get; } = new byte[style.BufferSize + SdkHttpResponseParser.LookAhead];

    /// <summary>The response head as the SDK read it (<see cref="SdkHttpResponseParser.HeaderLength"/>, <see cref="SdkHttpResponseParser.BodyLength"/>).</summary>
    public SdkHttpResponseParser Parser { get; } = new(style.Rules, board.Printf);

    /// <summary>The connection, once made.</summary>
    public LwipSocket? Socket { get; private set; }

    /// <summary>What <c>http_update_ota</c> returns if it stops now: -1, then what the request's <c>write()</c> returned.</summary>
    public int Ret { get; private set; } = -1;

    /// <summary>How many bytes of <see cref="Buffer"/> the last read filled.</summary>
    public int Index { get; private set; }

    /// <summary>Where a 302 sends the board (the caller connects again), when the head was one.</summary>
    public SdkRedirect? Redirect { get; private set; }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>, asks for <paramref name="resource"/> and reads the head.
    /// True when a body of non-zero length follows; false when the SDK stops here (its line printed), or on a 302.
    /// </summary>
    public async Task<bool> OpenAsync(string host, int port, string resource, CancellationToken cancellationToken)
    {
        Socket = await ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        if (Socket is null) return false;
        board.Printf("\n\r");
        Ret = await Socket.WriteAsync(OtaUiDownload.Request(host, resource), cancellationToken).ConfigureAwait(false);
        if (Ret < 0)
        {
            board.Printf(style.Line("Send HTTP request failed"));
            return false;
        }

        while (Parser.ParseStatus <= 3)
        {
            Array.Clear(Buffer);
            int offset = 0;
            if (Parser.ParseStatus != 0)
            {
                Parser.HeaderBackup?.CopyTo(Buffer, 0);
                Parser.HeaderBackup = null;
                offset = SdkHttpResponseParser.HeaderBackupLength;
            }
            int read = await Socket.ReadAsync(Buffer.AsMemory(offset, style.BufferSize - offset), null, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                board.Printf(style.Line("Read socket failed"));
                return false;
            }
            Index = offset + read;
            if (Parser.Parse(Buffer, Index) == -1)
            {
                Redirect = Parser.Redirect;
                return false;
            }
        }
        if (Parser.BodyLength == 0)
        {
            board.Printf(style.Line("New firmware size = 0 !"));
            return false;
        }
        return true;
    }

    /// <summary><c>update_ota_http_connect_server</c>: socket (printed on AmebaD), <c>gethostbyname</c>, connect.</summary>
    private async Task<LwipSocket?> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (style.SocketCreated is { } created) board.Printf(created);
        var address = await PullBoard.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        if (address is null)
        {
            board.Printf("[ERROR] Get host ip failed\n");
            return null;
        }
        var linkLost = await board.LinkTokenAsync(cancellationToken).ConfigureAwait(false);
        var socket = await LwipSocket.ConnectAsync(board.Address, new IPEndPoint(address, port), linkLost, cancellationToken).ConfigureAwait(false);
        if (socket is null) board.Printf("\n\r[update_ota_http_connect_server] Socket connect failed");
        return socket;
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => Socket?.Dispose();
}
