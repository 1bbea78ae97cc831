using System.Net;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using BenchmarkDotNet.Attributes;

namespace AmebaOta.Bench;

/// <summary>
/// The history database's writes, one transaction each, on a real file in WAL mode (synchronous = NORMAL) under /tmp: what a
/// fleet run or a rollout pays per recorded event. An upload is two writes (its start, its end); a rollout adds one per state change.
/// </summary>
[MemoryDiagnoser]
public class HistoryBenchmarks
{
    private static readonly ImageIdentity Image = new(new string('a', 64), 262144, "v2.bin", 0x01fdc7b0, 2);
    private readonly IPEndPoint _board = new(IPAddress.Parse("192.0.2.10"), 5000);
    private string _dir = null!;
    private HistoryStore _store = null!;
    private RolloutStore _rollouts = null!;
    private long _rollout;
    private RolloutBoard _rolloutBoard = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("amebaota-bench-").FullName;
        _store = HistoryStore.Open(Path.Combine(_dir, "h.db"));
        _rollouts = new RolloutStore(_store);
        var target = new FleetTarget("MyAmeba-001", _board, true);
        var plan = new RolloutPlan([new RolloutBoard(target, 1, 1, RolloutBoardState.Pending)], 1);
        _rollout = _rollouts.Create(Image, "/tmp/v2.bin", new RolloutSettings("100%", FailureThreshold.Parse("0"), TimeSpan.Zero, new FleetOptions(), false, false, false), plan);
        _rolloutBoard = plan.Boards[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>One upload recorded: its start (board and image upserted) and its end.</summary>
    [Benchmark]
    public void UploadStartAndEnd()
    {
        long id = _store.BeginUpload(new UploadStart($"MyAmeba-{_n++ % 100:000}", _board, true, Image, "fleet rollout"));
        _store.FinishUpload(id, new UploadEnd(UploadOutcome.Rebooted, RebootTime: TimeSpan.FromMilliseconds(800)));
    }

    /// <summary>One rollout board state change.</summary>
    [Benchmark]
    public void RolloutBoardChange() => _rollouts.SetBoard(_rollout, _rolloutBoard with { State = (_n++ & 1) == 0 ? RolloutBoardState.Uploading : RolloutBoardState.Success });
}
