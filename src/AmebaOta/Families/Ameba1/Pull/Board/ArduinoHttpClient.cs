using System.Diagnostics;

namespace AmebaOta.Families.Ameba1.Pull.Board;

/// <summary>
/// The Arduino <c>HttpClient</c> of the Ameba1 package (<c>libraries/Http/HttpClient.cpp</c>) as CloudOTA uses it. The
/// request is <c>GET {path} HTTP/1.1</c>, <c>Host: {server}[:{port}]</c> (port left out when 80), <c>User-Agent: Ameba</c>,
/// <c>Connection: close</c>. <c>responseStatusCode()</c> matches <c>HTTP/*.* </c> and takes the digits after it (a reason
/// phrase is not needed; codes below 200 are skipped); <c>readHeader()</c> matches <c>Content-Length: </c> byte by byte,
/// case-sensitively. Both read only while bytes are available and otherwise <c>delay(1000)</c>, giving up after 30 s
/// without a byte.
/// </summary>
public sealed class ArduinoHttpClient(ArduinoWifiClient client)
{
    /// <summary><c>HTTP_ERROR_CONNECTION_FAILED</c>.</summary>
    public const int ErrorConnectionFailed = -1;
    /// <summary><c>HTTP_ERROR_TIMED_OUT</c>.</summary>
    public const int ErrorTimedOut = -3;
    /// <summary><c>HTTP_ERROR_INVALID_RESPONSE</c>.</summary>
    public const int ErrorInvalidResponse = -4;

    /// <summary><c>kHttpWaitForDataDelay</c>: the pause when no byte is available while reading the status and headers.</summary>
    public static readonly TimeSpan WaitForDataDelay = TimeSpan.FromMilliseconds(1000);
    /// <summary><c>kHttpResponseTimeout</c>.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(30);

    private const string ContentLengthPrefix = "Content-Length: ";
    private const string StatusPrefix = "HTTP/*.* ";

    private enum State { Idle, RequestSent, ReadingStatusCode, StatusCodeRead, ReadingContentLength, SkipToEndOfHeader, LineStartingCrFound, ReadingBody }

    private State _state = State.Idle;
    private int _statusCode;
    private int _contentLength;
    private int _contentLengthMatched;

    /// <summary>The socket underneath (CloudOTA reads the headers of <c>/ota.bin</c> from it directly).</summary>
    public ArduinoWifiClient Client => client;

    /// <summary><c>get(server, port, path)</c>: connect and send the request; 0, or <see cref="ErrorConnectionFailed"/>.</summary>
    public async Task<int> GetAsync(string server, int port, string path, CancellationToken cancellationToken)
    {
        if (await client.ConnectAsync(server, port, cancellationToken).ConfigureAwait(false) == 0) return ErrorConnectionFailed;
        // Each print is its own write on the board (TCP_NODELAY); the server sees the same bytes either way.
        string host = port == 80 ? server : $"{server}:{port}";
        await client.WriteAsync($"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Ameba\r\nConnection: close\r\n\r\n", cancellationToken).ConfigureAwait(false);
        _state = State.RequestSent;
        return 0;
    }

    /// <summary><c>responseStatusCode()</c>: the status code, or a negative error.</summary>
    public async Task<int> ResponseStatusCodeAsync(CancellationToken cancellationToken)
    {
        if (_state < State.RequestSent) return -2;
        int c = 0;
        do
        {
            _statusCode = 0;
            _state = State.RequestSent;
            int matched = 0;
            var idle = Stopwatch.StartNew();
            while (c != '\n' && idle.Elapsed < ResponseTimeout)
            {
                if (await client.AvailableAsync(cancellationToken).ConfigureAwait(false))
                {
                    c = await client.ReadByteAsync(cancellationToken).ConfigureAwait(false);
                    if (c == -1) continue;
                    switch (_state)
                    {
                        case State.RequestSent:
                            if (StatusPrefix[matched] == '*' || StatusPrefix[matched] == c)
                            {
                                if (++matched == StatusPrefix.Length) _state = State.ReadingStatusCode;
                            }
                            else
                            {
                                return ErrorInvalidResponse;
                            }
                            break;
                        case State.ReadingStatusCode:
                            if (c is >= '0' and <= '9') _statusCode = _statusCode * 10 + (c - '0');
                            else _state = State.StatusCodeRead;
                            break;
                    }
                    idle.Restart();
                }
                else
                {
                    await Task.Delay(WaitForDataDelay, cancellationToken).ConfigureAwait(false);
                }
            }
            if (c == '\n' && _statusCode < 200) c = 0;
        }
        while (_state == State.StatusCodeRead && _statusCode < 200);

        if (c == '\n' && _state == State.StatusCodeRead) return _statusCode;
        return c != '\n' ? ErrorTimedOut : ErrorInvalidResponse;
    }

    /// <summary><c>skipResponseHeaders()</c>: reads header bytes while available (else waits a second), until the empty line.</summary>
    public async Task<int> SkipResponseHeadersAsync(CancellationToken cancellationToken)
    {
        var idle = Stopwatch.StartNew();
        while (_state != State.ReadingBody && idle.Elapsed < ResponseTimeout)
        {
            if (await client.AvailableAsync(cancellationToken).ConfigureAwait(false))
            {
                await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
                idle.Restart();
            }
            else
            {
                await Task.Delay(WaitForDataDelay, cancellationToken).ConfigureAwait(false);
            }
        }
        return _state == State.ReadingBody ? 0 : ErrorTimedOut;
    }

    private async Task ReadHeaderAsync(CancellationToken cancellationToken)
    {
        int read = await client.ReadByteAsync(cancellationToken).ConfigureAwait(false);
        char c = (char)(read & 0xFF);   // char on ARM is unsigned: -1 reads as 0xFF
        if (_state == State.ReadingBody) return;
        switch (_state)
        {
            case State.StatusCodeRead:
                if (_contentLengthMatched < ContentLengthPrefix.Length && ContentLengthPrefix[_contentLengthMatched] == c)
                {
                    if (++_contentLengthMatched == ContentLengthPrefix.Length)
                    {
                        _state = State.ReadingContentLength;
                        _contentLength = 0;
                    }
                }
                else if (_contentLengthMatched == 0 && c == '\r') _state = State.LineStartingCrFound;
                else _state = State.SkipToEndOfHeader;
                break;
            case State.ReadingContentLength:
                if (c is >= '0' and <= '9') _contentLength = _contentLength * 10 + (c - '0');
                else _state = State.SkipToEndOfHeader;
                break;
            case State.LineStartingCrFound:
                if (c == '\n') _state = State.ReadingBody;
                break;
        }
        if (c == '\n' && _state != State.ReadingBody)
        {
            _state = State.StatusCodeRead;
            _contentLengthMatched = 0;
        }
    }

    /// <summary><c>contentLength()</c>: the parsed value, 0 when no <c>Content-Length: </c> header was seen.</summary>
    public int ContentLength => _contentLength;

    private int _bodyConsumed;

    /// <summary><c>read()</c> through the client: one byte (or -1), counted as body once the headers are behind.</summary>
    public async ValueTask<int> ReadAsync(CancellationToken cancellationToken)
    {
        int b = await client.ReadByteAsync(cancellationToken).ConfigureAwait(false);
        if (b >= 0 && _state == State.ReadingBody && _contentLength > 0) _bodyConsumed++;
        return b;
    }

    /// <summary>
    /// <c>completed()</c>: the headers were parsed by this class and the body is all consumed. CloudOTA parses the
    /// <c>/ota.bin</c> headers itself, so for it this never holds (its <c>HTTP DONE</c> is never printed).
    /// </summary>
    public bool Completed => _state == State.ReadingBody && _bodyConsumed >= _contentLength;

    /// <summary><c>stop()</c>: closes the connection and resets the parser.</summary>
    public void Stop()
    {
        client.Stop();
        _state = State.Idle;
        _statusCode = 0;
        _contentLength = 0;
        _contentLengthMatched = 0;
        _bodyConsumed = 0;
    }
}
