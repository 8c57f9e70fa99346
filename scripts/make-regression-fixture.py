#!/usr/bin/env python3
"""The regression fixture: scikit-learn's copy of the diabetes data (Efron,
Hastie, Johnstone and Tibshirani, "Least Angle Regression", 2004), shipped
with scikit-learn under its BSD 3-clause license, in original units
(``load_diabetes(scaled=False)``): 442 patients, 10 features, target a
disease-progression score from 25 to 346.

Writes test/fixtures/regression/diabetes-{train,test}.csv (a seeded 80/20
split) and diabetes-reference.json: the test-set R², RMSE and MAE of an
ordinary least-squares linear model fitted on the training rows, which the
CLI's default run must at least match, and the linear model's test
predictions, against which glassnet's metric formulas are checked.

Run with Debian's python (numpy, scikit-learn 1.2):
    /usr/bin/python3 scripts/make-regression-fixture.py
"""
import csv
import json
import os

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'regression')
TEST_SHARE = 0.2
SEED = 0


def write_csv(path, header, x, y):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        for row, target in zip(x, y):
            # repr of a float64 round-trips exactly; integers print without ".0".
            w.writerow([format_number(v) for v in row] + [format_number(target)])


def format_number(v):
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def main():
    data = load_diabetes(scaled=False)
    x, y = data.data, data.target
    order = np.random.RandomState(SEED).permutation(len(y))
    n_test = round(len(y) * TEST_SHARE)
    test, train = order[:n_test], order[n_test:]
    header = list(data.feature_names) + ['progression']
    os.makedirs(OUT, exist_ok=True)
    write_csv(os.path.join(OUT, 'diabetes-train.csv'), header, x[train], y[train])
    write_csv(os.path.join(OUT, 'diabetes-test.csv'), header, x[test], y[test])

    linear = LinearRegression().fit(x[train], y[train])
    predicted = linear.predict(x[test])
    baseline = np.full_like(y[test], y[train].mean())
    reference = {
        'source': 'sklearn.datasets.load_diabetes(scaled=False), BSD-3-Clause; split numpy RandomState(0).permutation, first 20% test',
        'rows': {'train': int(len(train)), 'test': int(len(test))},
        'linear': {
            'r2': r2_score(y[test], predicted),
            'rmse': mean_squared_error(y[test], predicted) ** 0.5,
            'mae': mean_absolute_error(y[test], predicted),
            'predictions': [float(p) for p in predicted],
        },
        # Predicting the training mean for every test row.
        'meanBaseline': {'r2': r2_score(y[test], baseline), 'rmse': mean_squared_error(y[test], baseline) ** 0.5},
    }
    with open(os.path.join(OUT, 'diabetes-reference.json'), 'w') as f:
        json.dump(reference, f, indent=2)
        f.write('\n')
    print(f"linear model test R2 {reference['linear']['r2']:.4f}, RMSE {reference['linear']['rmse']:.2f}")


if __name__ == '__main__':
    main()
