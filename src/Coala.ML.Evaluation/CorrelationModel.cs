using System.Diagnostics;
using System.Globalization;
using System.Text;
using Coala.ML.Audio;
using Coala.ML.Features;
using Coala.ML.Model;
using Coala.ML.Training;

using MathNet.Numerics.LinearAlgebra;

namespace Coala.ML.Evaluation;

/// <summary>A model to analyse: the column name in the table and the ONNX file.</summary>
public sealed record CorrelationModel(string Name, string Path);
