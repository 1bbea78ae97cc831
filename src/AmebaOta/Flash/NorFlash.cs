using System.Buffers.Binary;

namespace AmebaOta.Flash;

/// <summary>
/// SPI NOR flash with real semantics: erase sets a 4 KiB sector to 0xFF, programming can only clear bits
/// (<c>stored = old &amp; new</c>), and addresses past the end wrap around because the chip ignores the upper bits.
/// Every erase and program is counted, and a power cut can be injected at any of them.
/// <para>Memory: the chip is kept as 4 KiB sectors; an erased sector holds no memory at all, and sectors shared through a
/// <see cref="FlashSectorPool"/> (the same bytes in many chips: a farm's boards all hold the same images) are held once
/// and copied only when a chip writes them. So a farm of thousands of boards costs what its distinct sectors cost.</para>
/// <para>Time: each operation costs what <see cref="Timing"/> says (nothing by default). The data changes at once, as
/// the model's operations are synchronous; the time is owed until an asynchronous caller waits for the chip with
/// <see cref="WaitReadyAsync"/>, as firmware polls the status register's busy bit before the next command. Offline tools
/// never wait, so they stay instant whatever the profile.</para>
/// </summary>
public sealed class NorFlash
{
    /// <summary>Erase unit of every part the families use: 4 KiB.</summary>
    public const int SectorSize = 0x1000;
    /// <summary>1 MiB chip.</summary>
    public const int OneMiB = 0x100000;
    /// <summary>2 MiB chip.</summary>
    public const int TwoMiB = 0x200000;
    /// <summary>16 MiB chip (AmebaPro2's).</summary>
    public const int SixteenMiB = 0x1000000;

    /// <summary>The chip sizes the model supports: every power of two from 1 MiB to 16 MiB (the families use 1, 2, 4 and 16 MiB parts).</summary>
    public static IReadOnlyList<int> SupportedSizes { get; } = [OneMiB, TwoMiB, 2 * TwoMiB, 4 * TwoMiB, SixteenMiB];

    /// <summary>The largest supported chip.</summary>
    public static int MaxSize => SupportedSizes[^1];

    /// <summary>True for the chip sizes the model supports.</summary>
    public static bool IsSupportedSize(long size) => size <= MaxSize && SupportedSizes.Contains((int)size);

    /// <summary>"1 MiB (1048576 bytes), 2 MiB (2097152 bytes), …": the supported sizes, for messages.</summary>
    public static string DescribeSupportedSizes() => string.Join(", ", SupportedSizes.Select(s => $"{s >> 20} MiB ({s} bytes)"));

    private static readonly byte[] Erased = CreateErased();

    private readonly int _size;
    private readonly byte[]?[] _sectors;   // null: erased (all 0xFF)
    private readonly bool[] _shared;       // true: the sector's array is shared with other chips and must be copied before a write
    private long _cutAt = -1;
    private bool _tear;
    private long _owedTicks;
    private long _readyAt;
    private long _returnedAt;
    private bool _everWaited;

    /// <summary>A chip of <paramref name="size"/> bytes, all erased (0xFF).</summary>
    public NorFlash(int size)
    {
        if (!IsSupportedSize(size))
            throw new FlashFormatException($"a flash chip is {string.Join(", ", SupportedSizes.Select(s => $"{s >> 20}"))} MiB, not {size} bytes");
        _size = size;
        _sectors = new byte[]?[size / SectorSize];
        _shared = new bool[_sectors.Length];
    }

    /// <summary>A chip holding <paramref name="contents"/> (a dump or a flash file's content), copied sector by sector (erased sectors take no memory).</summary>
    public NorFlash(ReadOnlySpan<byte> contents)
    {
        if (!IsSupportedSize(contents.Length))
            throw new FlashFormatException(
                $"a flash file is a raw image of the whole chip, exactly {DescribeSupportedSizes()}; this one has {contents.Length} bytes");
        _size = contents.Length;
        _sectors = new byte[]?[_size / SectorSize];
        _shared = new bool[_sectors.Length];
        for (int i = 0; i < _sectors.Length; i++)
        {
            var sector = contents.Slice(i * SectorSize, SectorSize);
            if (sector.IndexOfAnyExcept((byte)0xFF) >= 0) _sectors[i] = sector.ToArray();
        }
    }

    /// <summary>A chip holding <paramref name="contents"/>.</summary>
    public NorFlash(byte[] contents) : this((ReadOnlySpan<byte>)contents)
    {
    }

    /// <summary>Chip size in bytes.</summary>
    public int Size => _size;
    /// <summary>Sector erases so far.</summary>
    public long EraseCount { get; private set; }
    /// <summary>Program operations so far.</summary>
    public long ProgramCount { get; private set; }
    /// <summary>Erases plus programs.</summary>
    public long OperationCount => EraseCount + ProgramCount;
    /// <summary>True once a power cut has stopped the chip.</summary>
    public bool IsPoweredOff { get; private set; }

    /// <summary>True once any erase or program changed the chip since the last <see cref="MarkClean"/>.</summary>
    public bool IsDirty { get; private set; }

    /// <summary>How long each erase, program and read takes (<see cref="FlashTiming.Instant"/> unless set).</summary>
    public FlashTiming Timing { get; set; } = FlashTiming.Instant;

    /// <summary>The clock <see cref="WaitReadyAsync"/> waits on.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The time every operation so far took by <see cref="Timing"/>, whether or not anyone waited for it.</summary>
    public TimeSpan BusyTime { get; private set; }

    /// <summary>Raised after each completed erase or program.</summary>
    public event Action<FlashOperation>? OperationCompleted;

    /// <summary>A copy of the whole chip's contents (tests, reports); <see cref="WriteTo"/> saves without the copy.</summary>
    public ReadOnlySpan<byte> Contents
    {
        get
        {
            var copy = new byte[_size];
            Read(0, copy, charge: false);
            return copy;
        }
    }

    /// <summary>Writes the whole chip to <paramref name="stream"/>, sector by sector.</summary>
    public void WriteTo(Stream stream)
    {
        foreach (var sector in _sectors) stream.Write(sector ?? Erased);
    }

    /// <summary>Sectors holding memory of their own (neither erased nor shared), and sectors shared through a pool.</summary>
    public (int Own, int Shared) SectorUse()
    {
        int own = 0, shared = 0;
        for (int i = 0; i < _sectors.Length; i++)
            if (_sectors[i] is not null) { if (_shared[i]) shared++; else own++; }
        return (own, shared);
    }

    /// <summary>
    /// Hands every sector this chip holds alone to <paramref name="pool"/>: a sector with the same bytes as one already
    /// there is replaced by that one. Shared sectors are copied again when written. Call it between flash operations
    /// (the chip is not thread-safe).
    /// </summary>
    public void ShareSectors(FlashSectorPool pool)
    {
        for (int i = 0; i < _sectors.Length; i++)
        {
            if (_sectors[i] is not { } sector || _shared[i]) continue;
            _sectors[i] = pool.Intern(sector);
            _shared[i] = true;
        }
    }

    /// <summary>Plans a power cut at the N-th operation from now (1 = the next one); null clears the plan.</summary>
    public void SchedulePowerCut(FlashPowerCut? cut)
    {
        if (cut is { AtOperation: < 1 }) throw new ArgumentOutOfRangeException(nameof(cut), "the operation number starts at 1");
        _cutAt = cut is null ? -1 : OperationCount + cut.AtOperation;
        _tear = cut?.Tear ?? false;
    }

    /// <summary>Restores power after a cut; the contents are whatever the cut left.</summary>
    public void PowerOn()
    {
        IsPoweredOff = false;
        _cutAt = -1;
    }

    /// <summary>Forgets that the contents changed (after saving them).</summary>
    public void MarkClean() => IsDirty = false;

    private int Wrap(uint address) => (int)(address & (uint)(_size - 1));

    private static byte[] CreateErased()
    {
        var erased = new byte[SectorSize];
        Array.Fill(erased, (byte)0xFF);
        return erased;
    }

    /// <summary>The sector's bytes to read (the shared erased sector when it holds none).</summary>
    private byte[] Readable(int sector) => _sectors[sector] ?? Erased;

    /// <summary>The sector's bytes to change: made (erased) when it holds none, copied when it is shared.</summary>
    private byte[] Writable(int sector)
    {
        var bytes = _sectors[sector];
        if (bytes is null) bytes = CreateErased();
        else if (_shared[sector]) bytes = (byte[])bytes.Clone();
        else return bytes;
        _sectors[sector] = bytes;
        _shared[sector] = false;
        return bytes;
    }

    /// <summary>One byte.</summary>
    public byte ReadByte(uint address)
    {
        int a = Wrap(address);
        return Readable(a / SectorSize)[a % SectorSize];
    }

    /// <summary>A little-endian word.</summary>
    public uint ReadU32(uint address)
    {
        int a = Wrap(address);
        int offset = a % SectorSize;
        if (offset + 4 <= SectorSize) return BinaryPrimitives.ReadUInt32LittleEndian(Readable(a / SectorSize).AsSpan(offset, 4));
        Span<byte> tmp = stackalloc byte[4];
        Read(address, tmp);
        return BinaryPrimitives.ReadUInt32LittleEndian(tmp);
    }

    /// <summary>A little-endian half-word.</summary>
    public ushort ReadU16(uint address) => (ushort)(ReadByte(address) | ReadByte(address + 1) << 8);

    /// <summary>Copies bytes from <paramref name="address"/> into <paramref name="destination"/>.</summary>
    public void Read(uint address, Span<byte> destination) => Read(address, destination, charge: true);

    private void Read(uint address, Span<byte> destination, bool charge)
    {
        if (charge) Charge(Timing.Read(destination.Length));
        int a = Wrap(address);
        while (!destination.IsEmpty)
        {
            int offset = a % SectorSize;
            int n = Math.Min(destination.Length, SectorSize - offset);
            Readable(a / SectorSize).AsSpan(offset, n).CopyTo(destination);
            destination = destination[n..];
            a = (a + n) & (_size - 1);
        }
    }

    /// <summary><paramref name="length"/> bytes from <paramref name="address"/>.</summary>
    public byte[] Read(uint address, int length)
    {
        var result = new byte[length];
        Read(address, result);
        return result;
    }

    /// <summary>Erases the 4 KiB sector containing <paramref name="address"/>.</summary>
    public void EraseSector(uint address)
    {
        int start = Wrap(address) & ~(SectorSize - 1);
        int length = BeginOperation() ? SectorSize : TornLength(SectorSize);
        int sector = start / SectorSize;
        if (length == SectorSize)
        {
            _sectors[sector] = null;
            _shared[sector] = false;
        }
        else if (length > 0 && _sectors[sector] is not null)
        {
            Writable(sector).AsSpan(0, length).Fill(0xFF);
        }
        Charge(Timing.SectorErase);
        EraseCount++;
        IsDirty = true;
        EndOperation(FlashOperationKind.Erase, (uint)start, SectorSize);
    }

    /// <summary>Programs bytes: each stored byte becomes <c>old &amp; new</c>. Timed as page programs.</summary>
    public void Program(uint address, ReadOnlySpan<byte> bytes) => Program(address, bytes, streamWrite: false);

    /// <summary>
    /// The SDK's <c>flash_stream_write</c>, which the OTA code writes the image with: the same effect as
    /// <see cref="Program(uint, ReadOnlySpan{byte})"/> (one operation, for power cuts), timed as one program command per
    /// 32-bit word, as the SDK issues them.
    /// </summary>
    public void StreamWrite(uint address, ReadOnlySpan<byte> bytes) => Program(address, bytes, streamWrite: true);

    /// <summary>
    /// Programs bytes as one operation (for power cuts) that takes <paramref name="time"/>: for write routines whose
    /// command pattern a family computes itself from <see cref="Timing"/> (AmebaD's 12-byte program commands).
    /// </summary>
    public void Program(uint address, ReadOnlySpan<byte> bytes, TimeSpan time) => Program(address, bytes, streamWrite: false, time);

    private void Program(uint address, ReadOnlySpan<byte> bytes, bool streamWrite, TimeSpan? time = null)
    {
        int length = BeginOperation() ? bytes.Length : TornLength(bytes.Length);
        int a = Wrap(address);
        var source = bytes[..length];
        while (!source.IsEmpty)
        {
            int offset = a % SectorSize;
            int n = Math.Min(source.Length, SectorSize - offset);
            var piece = source[..n];
            // Programming only clears bits: bytes of 0xFF change nothing, so an erased sector stays without memory.
            if (piece.IndexOfAnyExcept((byte)0xFF) >= 0) AndInto(Writable(a / SectorSize).AsSpan(offset, n), piece);
            source = source[n..];
            a = (a + n) & (_size - 1);
        }
        Charge(time is { } t ? (length == bytes.Length ? t : t * ((double)length / Math.Max(1, bytes.Length)))
            : streamWrite ? Timing.StreamWrite(address, length) : Timing.Program(address, length));
        ProgramCount++;
        IsDirty = true;
        EndOperation(FlashOperationKind.Program, address, bytes.Length);
    }

    /// <summary>Programs a little-endian word (can only clear bits, as NOR flash does).</summary>
    public void ProgramU32(uint address, uint value)
    {
        Span<byte> tmp = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tmp, value);
        Program(address, tmp);
    }

    private static void AndInto(Span<byte> target, ReadOnlySpan<byte> source)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var t = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Numerics.Vector<byte>>(target);
            var s = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, System.Numerics.Vector<byte>>(source);
            for (int v = 0; v < t.Length; v++) t[v] &= s[v];
            i = t.Length * System.Numerics.Vector<byte>.Count;
        }
        for (; i < target.Length; i++) target[i] &= source[i];
    }

    /// <summary>
    /// Waits until the chip has finished every operation issued so far, by <see cref="Timing"/> on <see cref="Clock"/>.
    /// The chip's timeline is kept apart from the timer's lateness: an operation starts when the previous one ended plus
    /// however long the caller itself took in between, not when a late timer happened to wake the caller, so many short
    /// waits add up to the modelled time. Waits under a millisecond are carried over to the next call rather than slept.
    /// </summary>
    public async ValueTask WaitReadyAsync(CancellationToken cancellationToken = default)
    {
        long owed = Interlocked.Exchange(ref _owedTicks, 0);
        if (owed == 0) return;
        long frequency = Clock.TimestampFrequency;
        long now = Clock.GetTimestamp();
        long owedStamps = (long)(owed * (double)frequency / TimeSpan.TicksPerSecond);
        long start = _everWaited ? _readyAt + (now - _returnedAt) : now;
        _readyAt = start + owedStamps;
        _everWaited = true;
        long wait = _readyAt - now;
        if (wait >= frequency / 1000)
            await Task.Delay(TimeSpan.FromSeconds(wait / (double)frequency), Clock, cancellationToken).ConfigureAwait(false);
        _returnedAt = Clock.GetTimestamp();
    }

    private void Charge(TimeSpan time)
    {
        if (time <= TimeSpan.Zero) return;
        BusyTime += time;
        Interlocked.Add(ref _owedTicks, time.Ticks);
    }

    /// <summary>Returns false when this operation is the one the power cut interrupts.</summary>
    private bool BeginOperation()
    {
        if (IsPoweredOff) throw new PowerCutException(OperationCount + 1);
        return OperationCount + 1 != _cutAt;
    }

    private int TornLength(int full) => _tear ? full / 2 : 0;

    private void EndOperation(FlashOperationKind kind, uint address, int length)
    {
        if (OperationCount == _cutAt)
        {
            IsPoweredOff = true;
            throw new PowerCutException(OperationCount);
        }
        OperationCompleted?.Invoke(new FlashOperation(OperationCount, kind, address, length));
    }
}
