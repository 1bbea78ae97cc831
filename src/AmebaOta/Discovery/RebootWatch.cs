using System.Net;
using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>One board a <see cref="RebootWatcher"/> follows. Get it before sending the image; dispose it when done.</summary>
public sealed class RebootWatch : IDisposable
{
    private readonly string? _name;
    private readonly IPEndPoint? _endPoint;
    private readonly RebootWatcher _owner;
    private readonly TaskCompletionSource<bool> _back = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _instance;
    private string? _host;
    private long? _finishedAt;
    private bool _goodbye;
    private bool _probe;
    private bool _downDuringUpload;
    private long _backAt;

    internal RebootWatch(string? name, IPEndPoint? endPoint, RebootWatcher owner)
    {
        _name = name;
        _endPoint = endPoint;
        _owner = owner;
    }

    /// <summary>The board's instance name, once heard (for a watch by address).</summary>
    public string? InstanceName => Volatile.Read(ref _instance);

    internal string? Name => _name;

    /// <summary>Recognised by the end point's address whatever port it advertises.</summary>
    internal bool AnyPort { get; init; }
    internal IPEndPoint? EndPoint => _endPoint;
    internal string? HostLabel => Volatile.Read(ref _host);

    /// <summary>The labels the owner's index files this watch under (kept by the owner, under its lock).</summary>
    internal List<string> IndexedLabels { get; } = [];

    /// <summary>
    /// Marks the end of the upload: from now on an announcement of the board that follows its probe or goodbye counts as the
    /// reboot. Call it once the board has acknowledged the last byte. A probe or goodbye heard before then means the board
    /// went down during the upload (a power cut, a reset): that boot is not the one after a complete image, and never counts.
    /// </summary>
    public void UploadFinished()
    {
        lock (_back) _finishedAt ??= Environment.TickCount64;
    }

    /// <summary>
    /// Waits until the board has announced itself again after <see cref="UploadFinished"/>, at most <paramref name="timeout"/>.
    /// <see cref="RebootResult.Elapsed"/> counts from <see cref="UploadFinished"/> (or from this call if it was not called).
    /// </summary>
    public async Task<RebootResult> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        UploadFinished();
        long started;
        lock (_back) started = _finishedAt!.Value;
        var left = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
        bool back;
        try
        {
            back = await _back.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken);
        }
        catch (TimeoutException)
        {
            back = false;
        }
        lock (_back)
            return new RebootResult(back, TimeSpan.FromMilliseconds((back ? _backAt : Environment.TickCount64) - started), _goodbye, _probe)
            {
                WentDownDuringUpload = _downDuringUpload,
            };
    }

    internal void OnProbe(RebootWatcher.Facts claimed, List<DnsName> asked, long now)
    {
        lock (_back)
        {
            bool mine = claimed.Services.Any(s => IsMine(s.Instance, s.Host, s.Port, s.Address)) ||
                        asked.Any(n => n.Labels.Count > 0 && IsMyLabel(n.Labels[0]));
            if (!mine) return;
            if (Finished(now)) _probe = true;
            else _downDuringUpload = true;
        }
    }

    private bool Finished(long now) => _finishedAt is { } finished && now >= finished;

    internal void OnResponse(RebootWatcher.Facts facts, long now)
    {
        lock (_back)
        {
            bool mine = false, goodbye = false;
            foreach (var s in facts.Services)
                if (IsMine(s.Instance, s.Host, s.Port, s.Address))
                {
                    _instance = s.Instance;
                    _host = s.Host;
                    mine = true;
                    goodbye |= s.Ttl == 0;
                }
            foreach (var h in facts.Hosts)
                if ((_host is not null && DnsName.LabelEquals(h.Host, _host)) || (_name is not null && DnsName.LabelEquals(h.Host, _name)))
                {
                    mine = true;
                    goodbye |= h.Ttl == 0;
                }
            if (!mine) return;
            if (goodbye)
            {
                if (Finished(now)) _goodbye = true;
                else _downDuringUpload = true;
                return;
            }
            if (!Finished(now)) return;
            if ((_probe || _goodbye) && !_back.Task.IsCompleted)
            {
                _backAt = now;
                _back.TrySetResult(true);
            }
        }
    }

    private bool IsMine(string instance, string host, ushort port, IPAddress? address)
    {
        if (_name is not null && (DnsName.LabelEquals(instance, _name) || DnsName.LabelEquals(host, _name))) return true;
        if (_instance is not null && DnsName.LabelEquals(instance, _instance)) return true;
        return _endPoint is not null && (AnyPort || port == _endPoint.Port) && address is not null && address.Equals(_endPoint.Address);
    }

    private bool IsMyLabel(string label) =>
        (_name is not null && DnsName.LabelEquals(label, _name)) ||
        (_instance is not null && DnsName.LabelEquals(label, _instance)) ||
        (_host is not null && DnsName.LabelEquals(label, _host));

    internal void Abandon() => _back.TrySetResult(false);

    /// <summary>Stops following the board.</summary>
    public void Dispose() => _owner.Remove(this);
}

/// <summary>How a wait for a reboot ended.</summary>
/// <param name="Rebooted">
/// The board announced itself again after the upload, after a probe or a goodbye: it went down and came back. Not which
/// image it booted: a stock board does not say, and one that lost power mid-update (or refused the image) comes back on
/// its old image and announces itself just the same; only its serial output tells.
/// </param>
/// <param name="Elapsed">From the end of the upload to the announcement (or to giving up).</param>
/// <param name="GoodbyeSeen">The board sent a goodbye (TTL 0) first; a real board resetting does not.</param>
/// <param name="ProbeSeen">The board probed for its names (RFC 6762 §8.1), as a booting board does.</param>
/// <remarks>
/// What <see cref="Rebooted"/> proves: the board took every byte (the host saw them acknowledged) and then rebooted and
/// announced itself. A stock board cannot say which image it booted: one that lost power while verifying also comes back,
/// on its old image.
/// </remarks>
public sealed record RebootResult(bool Rebooted, TimeSpan Elapsed, bool GoodbyeSeen, bool ProbeSeen)
{
    /// <summary>The board probed or said goodbye before the upload finished: it went down mid-transfer, so that boot ran the old image.</summary>
    public bool WentDownDuringUpload { get; init; }
}
